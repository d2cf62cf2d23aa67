import LoreCore
import LoreEmbed
import LorePrompts
import LoreTestSupport
import Testing

@Suite("context assembly within a token budget")
struct ContextAssemblerTests {
    let tokenizer = TestModel.tokenizer
    var assembler: ContextAssembler { ContextAssembler(counter: tokenizer) }

    /// Five ranked sources of different lengths, numbered and identified out of order so that
    /// renumbering and rank order are visible.
    private func sources() -> [ContextSource] {
        let texts = [
            "SQLite keeps the whole database in one file, with a write-ahead log beside it.",
            "The HNSW index links each vector to its nearest neighbours on several layers; searches descend from the top layer.",
            "Chunks are split on headings first, then paragraphs, then sentences.",
            String(repeating: "Reciprocal rank fusion adds one over sixty plus the rank for each list. ", count: 6),
            "MiniLM embeds text into 384 dimensions."
        ]
        return texts.enumerated().map { i, t in
            ContextSource(
                number: 10 + i, chunkID: Int64(100 + i), source: "docs/file\(i).md", title: "Title \(i)",
                headingPath: "Title \(i) > Part \(i)", text: t, score: 1 - Double(i) / 10)
        }
    }

    /// Tokens the first `k` sources take when numbered 1...k.
    private func cost(_ s: [ContextSource], _ k: Int) -> Int {
        let kept = s.prefix(k).enumerated().map { i, x -> ContextSource in
            var y = x; y.number = i + 1; return y
        }
        return tokenizer.countTokens(ContextAssembler.text(kept))
    }

    @Test("the lowest-ranked sources are dropped first and the kept ones are renumbered 1...n")
    func dropsLowestFirst() {
        let s = sources()
        let budget = cost(s, 3) + 5  // room for three, not four (the fourth is long)
        #expect(cost(s, 4) > budget)
        let r = assembler.assemble(s, budget: budget)
        #expect(r.sources.map(\.chunkID) == [100, 101, 102])
        #expect(r.sources.map(\.number) == [1, 2, 3])
        #expect(r.dropped.map(\.chunkID) == [103, 104])
        #expect(r.dropped.map(\.number) == [13, 14])
        #expect(!r.truncated)
        #expect(r.text.hasPrefix("[1] Title 0 > Part 0 (file0.md)\nSQLite keeps"))
        #expect(r.text.contains("\n\n[3] Title 2 > Part 2 (file2.md)\nChunks are split"))
        #expect(!r.text.contains("[4]") && !r.text.contains("Reciprocal"))
        #expect(r.tokens == tokenizer.countTokens(r.text) && r.tokens <= budget)
    }

    @Test("over many budgets: within budget, a prefix of the ranking, nothing lost, more budget never keeps less")
    func budgetSweep() {
        let s = sources()
        let full = cost(s, s.count)
        var previous = 0
        for budget in stride(from: 0, through: full + 10, by: 3) {
            let r = assembler.assemble(s, budget: budget)
            #expect(tokenizer.countTokens(r.text) <= budget, "budget \(budget)")
            #expect(r.tokens == tokenizer.countTokens(r.text))
            #expect(r.sources.map(\.chunkID) == Array(s.prefix(r.sources.count)).map(\.chunkID))
            #expect(r.sources.map(\.number) == (0..<r.sources.count).map { $0 + 1 })
            #expect(r.sources.count + r.dropped.count == s.count)
            #expect(r.sources.count >= previous, "budget \(budget)")
            previous = r.sources.count
            // Whole sources are kept exactly when they fit; otherwise the best one is cut to fit.
            let fitting = (0...s.count).last { cost(s, $0) <= budget }!
            if fitting > 0 {
                #expect(r.sources.count == fitting && !r.truncated, "budget \(budget)")
            }
        }
        #expect(assembler.assemble(s, budget: full).dropped.isEmpty)
        #expect(assembler.assemble(s, budget: full - 1).dropped.count == 1)
    }

    @Test("a best source over the budget on its own is truncated to fit, not dropped")
    func truncatesOversizeBest() {
        let long = String(repeating: "The write-ahead log lets readers continue while a writer commits. ", count: 40)
        let s =
            [ContextSource(number: 1, chunkID: 7, source: "wal.md", title: "WAL", headingPath: "", text: long, score: 1)]
            + Array(sources().prefix(2))
        let budget = 60
        #expect(cost(s, 1) > budget)
        let r = assembler.assemble(s, budget: budget)
        #expect(r.truncated)
        #expect(r.sources.map(\.chunkID) == [7] && r.sources[0].number == 1)
        #expect(r.dropped.map(\.chunkID) == [100, 101])
        #expect(r.tokens <= budget && r.tokens == tokenizer.countTokens(r.text))
        // It is cut, not emptied: close to the budget, and a prefix of the original text.
        #expect(r.tokens >= budget - 3)
        #expect(!r.sources[0].text.isEmpty && long.hasPrefix(r.sources[0].text))
        #expect(r.text == "[1] WAL (wal.md)\n" + r.sources[0].text)
    }

    @Test("a budget that cannot hold even a header gives an empty context; no sources give an empty context")
    func tiny() {
        let s = sources()
        let r = assembler.assemble(s, budget: 3)
        #expect(r.text.isEmpty && r.sources.isEmpty && r.dropped.count == s.count && r.tokens == 0)
        let none = assembler.assemble([], budget: 100)
        #expect(none.text.isEmpty && none.sources.isEmpty && none.dropped.isEmpty)
    }

    @Test("headers: title and heading path without repeating the title, and the file name")
    func headers() {
        func h(_ title: String, _ heading: String, _ source: String) -> String {
            ContextAssembler.header(
                ContextSource(number: 2, chunkID: 1, source: source, title: title, headingPath: heading, text: "", score: 0))
        }
        #expect(h("Guide", "Guide > Setup", "docs/guide.md") == "[2] Guide > Setup (guide.md)")
        #expect(h("Guide", "Setup", "docs/guide.md") == "[2] Guide > Setup (guide.md)")
        #expect(h("Guide", "", "docs/guide.md") == "[2] Guide (guide.md)")
        #expect(h("", "", "docs/guide.md") == "[2] guide.md")
        #expect(h("", "Setup", "guide.md") == "[2] Setup (guide.md)")
    }

    @Test("the template's budget is the one used")
    func templateBudget() throws {
        let f = PromptsFixture()
        f.write("answer", "v1", templateText(contextTokens: "40"))
        let t = try f.load().template("answer")
        let r = assembler.assemble(sources(), for: t)
        #expect(r.budget == 40 && r.tokens <= 40 && !r.sources.isEmpty)
    }
}
