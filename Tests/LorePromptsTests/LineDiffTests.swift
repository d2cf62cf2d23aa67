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
        new.remove(at: 15) // line 16
        let d = LineDiff.unified(old.joined(separator: "\n"), new.joined(separator: "\n"), oldLabel: "a", newLabel: "b", context: 1)
        #expect(d == "--- a\n+++ b\n@@ -1,3 +1,3 @@\n line 1\n-line 2\n+changed 2\n line 3\n@@ -15,3 +15,2 @@\n line 15\n-line 16\n line 17\n")
    }

    @Test("the edit script keeps a longest common subsequence and rebuilds both sides")
    func script() {
        let a = ["x", "a", "b", "c", "y", "d"], b = ["a", "z", "b", "d", "c", "w"]
        let s = LineDiff.lines(a, b)
        let old = s.compactMap { l -> String? in switch l { case .same(let x), .removed(let x): return x; case .added: return nil } }
        let new = s.compactMap { l -> String? in switch l { case .same(let x), .added(let x): return x; case .removed: return nil } }
        #expect(old == a && new == b)
        // LCS of a and b has length 3 (a, b, c or a, b, d).
        #expect(s.filter { if case .same = $0 { return true } else { return false } }.count == 3)
    }
}
