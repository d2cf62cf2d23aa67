/// A line diff of two texts, printed unified-style.
///
/// The edit script comes from the standard library's `CollectionDifference`
/// (`new.difference(from: old)`, Myers' algorithm: a minimal script, so the lines kept are a
/// longest common subsequence), which costs O((n + m) · D) time for D edits instead of the
/// O(n · m) time and memory of a full LCS table.
public enum LineDiff {
    public enum Line: Sendable, Equatable {
        case same(String), removed(String), added(String)
    }

    /// The edit script turning `old` into `new`, line by line. Where removals and insertions
    /// meet, the removed lines come first.
    public static func lines(_ old: [String], _ new: [String]) -> [Line] {
        let difference = new.difference(from: old)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var out: [Line] = []
        out.reserveCapacity(old.count + inserted.count)
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count, removed.contains(i) {
                out.append(.removed(old[i])); i += 1
            } else if j < new.count, inserted.contains(j) {
                out.append(.added(new[j])); j += 1
            } else {
                // Neither removed nor inserted: the same line on both sides (the difference
                // guarantees both indices are in range and the lines are equal).
                out.append(.same(old[i])); i += 1; j += 1
            }
        }
        return out
    }

    /// `--- a` / `+++ b` and `@@ -l,s +l,s @@` hunks with `context` lines around each change;
    /// empty when the texts are equal.
    public static func unified(_ old: String, _ new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let a = split(old), b = split(new)
        let script = lines(a, b)
        let changed = script.indices.filter { if case .same = script[$0] { return false } else { return true } }
        guard !changed.isEmpty else { return "" }
        // Group changes whose context windows touch into hunks of script indices.
        var hunks: [ClosedRange<Int>] = []
        for c in changed {
            let lo = max(0, c - context), hi = min(script.count - 1, c + context)
            if let last = hunks.last, lo <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, hi)
            } else {
                hunks.append(lo...hi)
            }
        }
        // Line numbers (1-based) in old and new at the start of each script index.
        var oldLine = [Int](), newLine = [Int]()
        var o = 1, nn = 1
        for l in script {
            oldLine.append(o); newLine.append(nn)
            switch l {
            case .same: o += 1; nn += 1
            case .removed: o += 1
            case .added: nn += 1
            }
        }
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        for h in hunks {
            let part = script[h]
            let oldCount = part.filter { if case .added = $0 { return false } else { return true } }.count
            let newCount = part.filter { if case .removed = $0 { return false } else { return true } }.count
            let oldStart = oldCount == 0 ? oldLine[h.lowerBound] - 1 : oldLine[h.lowerBound]
            let newStart = newCount == 0 ? newLine[h.lowerBound] - 1 : newLine[h.lowerBound]
            out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for l in part {
                switch l {
                case .same(let s): out += " \(s)\n"
                case .removed(let s): out += "-\(s)\n"
                case .added(let s): out += "+\(s)\n"
                }
            }
        }
        return out
    }

    private static func split(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
