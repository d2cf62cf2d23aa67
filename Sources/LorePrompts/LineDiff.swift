/// A line diff of two texts (longest common subsequence), printed unified-style.
public enum LineDiff {
    public enum Line: Sendable, Equatable {
        case same(String), removed(String), added(String)
    }

    /// The edit script turning `old` into `new`, line by line.
    public static func lines(_ old: [String], _ new: [String]) -> [Line] {
        let n = old.count, m = new.count
        // lcs[i][j]: length of the LCS of old[i...] and new[j...].
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = old[i] == new[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [Line] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                out.append(.same(old[i])); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                out.append(.removed(old[i])); i += 1
            } else {
                out.append(.added(new[j])); j += 1
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
