import LoreCore
import LorePrompts
import Testing

@Suite("line diff")
struct LineDiffTests {
    @Test("equal texts have no diff")
    func equal() {
        #expect(LineDiff.unified("a\nb\n", "a\nb\n", oldLabel: "x", newLabel: "y") == "")
    }

    @Test("a change and an addition, unified style")
    func unified() {
        let d = LineDiff.unified("a\nb\nc\n", "a\nB\nc\nd\n", oldLabel: "old", newLabel: "new")
        #expect(d == "--- old\n+++ new\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n")
    }

    @Test("changes far apart make separate hunks with the right line numbers")
    func hunks() {
        let old = (1...20).map { "line \($0)" }
        var new = old
        new[1] = "changed 2"
        new.remove(at: 15)  // line 16
        let d = LineDiff.unified(old.joined(separator: "\n"), new.joined(separator: "\n"), oldLabel: "a", newLabel: "b", context: 1)
        #expect(
            d == "--- a\n+++ b\n@@ -1,3 +1,3 @@\n line 1\n-line 2\n+changed 2\n line 3\n@@ -15,3 +15,2 @@\n line 15\n-line 16\n line 17\n")
    }

    @Test("the edit script keeps a longest common subsequence and rebuilds both sides")
    func script() {
        let a = ["x", "a", "b", "c", "y", "d"], b = ["a", "z", "b", "d", "c", "w"]
        let s = LineDiff.lines(a, b)
        let old = s.compactMap { l -> String? in
            switch l {
            case .same(let x), .removed(let x): return x;
            case .added: return nil
            }
        }
        let new = s.compactMap { l -> String? in
            switch l {
            case .same(let x), .added(let x): return x;
            case .removed: return nil
            }
        }
        #expect(old == a && new == b)
        // LCS of a and b has length 3 (a, b, c or a, b, d).
        #expect(s.filter { if case .same = $0 { return true } else { return false } }.count == 3)
    }

    @Test("20,000 lines with a few edits: the right hunks, without an n × m table")
    func large() {
        // A full LCS table for this input would be 20,001² integers (3.2 GB); Myers' algorithm
        // needs memory in the number of edits.
        let old = (1...20_000).map { "line \($0)" }
        var new = old
        new[4_999] = "changed 5000"
        new.removeSubrange(10_000...10_002)  // old lines 10001-10003
        // After old line 15000, which is now at index 14_996 of new.
        new.insert(contentsOf: ["new a", "new b"], at: 14_997)
        let script = LineDiff.lines(old, new)
        #expect(rebuilt(script) == Rebuilt(old: old, new: new))
        #expect(script.filter { if case .same = $0 { return true } else { return false } }.count == 19_996)
        let d = LineDiff.unified(old.joined(separator: "\n"), new.joined(separator: "\n"), oldLabel: "a", newLabel: "b", context: 0)
        #expect(
            d == """
                --- a
                +++ b
                @@ -5000,1 +5000,1 @@
                -line 5000
                +changed 5000
                @@ -10001,3 +10000,0 @@
                -line 10001
                -line 10002
                -line 10003
                @@ -15000,0 +14998,2 @@
                +new a
                +new b

                """)
    }

    @Test("the script is minimal: its kept lines are as many as a longest common subsequence")
    func minimal() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<300 {
            let a = (0..<Int.random(in: 0...12, using: &random)).map { _ in ["a", "b", "c"].randomElement(using: &random)! }
            let b = (0..<Int.random(in: 0...12, using: &random)).map { _ in ["a", "b", "c"].randomElement(using: &random)! }
            let script = LineDiff.lines(a, b)
            #expect(rebuilt(script) == Rebuilt(old: a, new: b))
            let kept = script.filter { if case .same = $0 { return true } else { return false } }.count
            #expect(kept == lcsLength(a, b), "\(a) → \(b)")
        }
    }

    private struct Rebuilt: Equatable { var old: [String], new: [String] }

    private func rebuilt(_ script: [LineDiff.Line]) -> Rebuilt {
        var r = Rebuilt(old: [], new: [])
        for l in script {
            switch l {
            case .same(let x): r.old.append(x); r.new.append(x)
            case .removed(let x): r.old.append(x)
            case .added(let x): r.new.append(x)
            }
        }
        return r
    }

    /// The textbook dynamic programme, for small inputs only.
    private func lcsLength(_ a: [String], _ b: [String]) -> Int {
        var t = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in a.indices.reversed() {
            for j in b.indices.reversed() {
                t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : max(t[i + 1][j], t[i][j + 1])
            }
        }
        return t[0][0]
    }
}
