import LoreQuery
import Testing

@testable import LoreGuardrails

@Suite("Streaming output filter")
struct OutputFilterTests {
    let answer = """
        WAL mode lets readers continue while a writer commits [1]. Write to jane.doe@example.com or \
        call +44 20 7946 0958 for help [7]. Checkpoints copy pages back [2, 9]. The key is \
        AKIAIOSFODNN7EXAMPL3 and nothing else [3].
        """

    /// The whole answer through the filter in one piece.
    func whole() -> (String, [GuardFinding]) {
        let f = GuardedOutputFilter(pii: PIIDetector(), validCitations: [1, 2, 3])
        let head = f.push(answer)
        let (rest, findings) = f.finish()
        return (head + rest, findings)
    }

    @Test("personal data and invented citations never go out, whatever the delta boundaries")
    func anySplit() {
        let (expected, _) = whole()
        #expect(!expected.contains("jane.doe@example.com") && !expected.contains("7946") && !expected.contains("AKIA"))
        #expect(!expected.contains("[7]") && !expected.contains("9]") && expected.contains("[2]"))
        let chars = Array(answer)
        for size in [1, 2, 3, 5, 8, 13] {
            let f = GuardedOutputFilter(pii: PIIDetector(), validCitations: [1, 2, 3])
            var out = ""
            var i = 0
            while i < chars.count {
                let piece = f.push(String(chars[i..<min(i + size, chars.count)]))
                #expect(!piece.contains("jane.doe") && !piece.contains("[7]"), "delta size \(size) released \(piece)")
                out += piece
                i += size
            }
            out += f.finish().text
            #expect(out == expected, "delta size \(size)")
        }
    }

    @Test("findings count what was redacted and removed")
    func findings() {
        let (_, findings) = whole()
        let rules = Set(findings.map(\.rule))
        #expect(rules.contains("output.pii.email") && rules.contains("output.invalid_citation"))
        #expect(findings.allSatisfy { !$0.detail.contains("jane.doe") })
    }

    @Test("text is released while it streams, held back by at most a few words")
    func releases() {
        let f = GuardedOutputFilter(pii: PIIDetector(), validCitations: [1])
        let long = String(repeating: "Readers continue while writers append pages. ", count: 10)
        let out = f.push(long)
        #expect(out.utf8.count >= long.utf8.count - 80 && long.hasPrefix(out))
    }
}
