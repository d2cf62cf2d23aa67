import LoreCore
import Testing

@testable import LoreGuardrails

@Suite("Citation checks")
struct CitationCheckerTests {
    func source(_ n: Int, _ text: String) -> ContextSource {
        ContextSource(number: n, chunkID: Int64(n), source: "s\(n).md", title: "", headingPath: "", text: text, score: 0)
    }

    @Test(
        "an [n] with no source n is removed, with the space before it; valid ones stay",
        arguments: [
            ("WAL lets readers continue [1].", "WAL lets readers continue [1]."),
            ("WAL lets readers continue [6].", "WAL lets readers continue."),
            ("Readers continue [2, 9] while writers append [9][1].", "Readers continue [2] while writers append [1]."),
            ("See [1,7,3].", "See [1, 3]."),
            ("Arrays like a[i] and [x] and [] stay.", "Arrays like a[i] and [x] and [] stay.")
        ])
    func removesInvalid(input: String, expected: String) {
        let (out, _) = CitationChecker.removeInvalid(input, valid: [1, 2, 3])
        #expect(out == expected)
    }

    @Test("the removed numbers are reported in order")
    func reportsRemoved() {
        let (_, removed) = CitationChecker.removeInvalid("A [4]. B [1, 5]. C [12]", valid: [1, 2])
        #expect(removed == [4, 5, 12])
    }

    @Test("a cited sentence that shares no content with its source is unsupported; a quoting one is not")
    func unsupported() {
        let sources = [
            source(1, "In WAL mode readers do not block writers and a writer does not block readers."),
            source(2, "The water cycle moves water between oceans, air and land by evaporation and rain.")
        ]
        let checker = CitationChecker(unsupportedThreshold: 0.2)
        let good = checker.unsupported("In WAL mode, readers do not block writers [1].", sources: sources)
        #expect(good.isEmpty)
        let bad = checker.unsupported("Readers never block writers in WAL mode [2].", sources: sources)
        #expect(bad.count == 1 && bad.first?.cited == [2] && (bad.first?.overlap ?? 1) < 0.2)
        // Citing both: supported by the better of the two.
        #expect(checker.unsupported("Readers never block writers in WAL mode [1, 2].", sources: sources).isEmpty)
    }

    @Test("sentences without citations, or with fewer than three content words, are not judged")
    func notJudged() {
        let checker = CitationChecker()
        #expect(checker.unsupported("Completely unrelated claim about volcanoes erupting.", sources: [source(1, "WAL")]).isEmpty)
        #expect(checker.unsupported("Yes [1].", sources: [source(1, "WAL")]).isEmpty)
    }
}
