import Foundation
import LoreCore
import LoreEmbed
import LoreIngest
import LoreTestSupport
import Testing

/// Properties of the recursive chunker over many generated documents and the demo corpus,
/// measured with the real all-MiniLM-L6-v2 tokenizer.
@Suite("Recursive chunker")
struct RecursiveChunkerTests {
    static let tokenizer = TestModel.tokenizer
    static let settings = [
        ChunkingOptions(), ChunkingOptions(size: 32, overlap: 0), ChunkingOptions(size: 32, overlap: 15),
        ChunkingOptions(size: 64, overlap: 10), ChunkingOptions(size: 100, overlap: 49),
        ChunkingOptions(size: 128, overlap: 0), ChunkingOptions(size: 254, overlap: 0), ChunkingOptions(size: 254, overlap: 126)
    ]

    // MARK: Properties

    @Test("no chunk is over the size, and every token count is exact", arguments: settings)
    func sizeAndCounts(_ options: ChunkingOptions) throws {
        try check(options) { doc, chunks in
            chunks.flatMap { c -> [String] in
                let recount = Self.tokenizer.countTokens(c.text)
                var v: [String] = []
                if recount > options.size { v.append("chunk \(c.ordinal) has \(recount) tokens, over \(options.size)") }
                if recount > 254 { v.append("chunk \(c.ordinal) has \(recount) tokens, over the model's 254") }
                if c.tokenCount != recount { v.append("chunk \(c.ordinal) says \(c.tokenCount) tokens, has \(recount)") }
                if c.tokenCount == 0 { v.append("chunk \(c.ordinal) is empty") }
                return v
            }
        }
    }

    @Test("chunks cover all of the text in order, and each chunk's text is the text at its range", arguments: settings)
    func coverageAndOrder(_ options: ChunkingOptions) throws {
        try check(options) { doc, chunks in Self.coverageViolations(doc, chunks) }
    }

    @Test("consecutive chunks of a section overlap by at most the overlap, and leave no text out between them", arguments: settings)
    func overlapAndGaps(_ options: ChunkingOptions) throws {
        try check(options) { doc, chunks in Self.overlapViolations(doc, chunks, overlap: options.overlap) }
    }

    @Test(
        "chunks never straddle a section and carry its heading path and page",
        arguments: [ChunkingOptions(), ChunkingOptions(size: 32, overlap: 15)])
    func sections(_ options: ChunkingOptions) throws {
        try check(options) { doc, chunks in Self.sectionViolations(doc, chunks) }
    }

    @Test("the property checks catch broken chunkings (they are not tautologies)")
    func checksCanFail() throws {
        var rng = SeededRandom(seed: 42)
        let doc = try MarkdownLoader().load(
            Fixture.inline(
                GeneratedDocuments.proseText(&rng, paragraphs: 6) + "\n\n## Two\n\n"
                    + GeneratedDocuments.proseText(&rng, paragraphs: 6), name: "c.md"))[0]
        let chunks = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: 40, overlap: 10)).chunk(doc)
        try #require(chunks.count > 6)
        #expect(Self.coverageViolations(doc, chunks).isEmpty)
        #expect(Self.overlapViolations(doc, chunks, overlap: 10).isEmpty)
        #expect(Self.sectionViolations(doc, chunks).isEmpty)

        var missing = chunks
        missing.remove(at: 3)
        for k in missing.indices { missing[k].ordinal = k }
        #expect(!Self.coverageViolations(doc, missing).isEmpty)
        #expect(!Self.overlapViolations(doc, missing, overlap: 10).isEmpty)

        var shifted = chunks
        shifted[2].text = String(shifted[2].text.dropLast())
        #expect(!Self.coverageViolations(doc, shifted).isEmpty)

        var wide = chunks
        let k = try #require(
            (1..<wide.count).first { Self.sectionIndex(of: wide[$0], in: doc) == Self.sectionIndex(of: wide[$0 - 1], in: doc) })
        wide[k].range = wide[k - 1].range.lowerBound..<wide[k].range.upperBound
        #expect(!Self.overlapViolations(doc, wide, overlap: 10).isEmpty)

        var relabelled = chunks
        relabelled[0].headingPath = ["Elsewhere"]
        #expect(!Self.sectionViolations(doc, relabelled).isEmpty)
        var straddling = chunks
        straddling[0].range = 0..<doc.text.utf8.count
        #expect(!Self.sectionViolations(doc, straddling).isEmpty)
    }

    @Test("the property documents include what they are meant to: headings, pages, code, corpus files")
    func generatorCoverage() {
        let docs = GeneratedDocuments.all
        #expect(docs.count > 100)
        #expect(docs.contains { $0.sections.contains { $0.headingPath.count >= 2 } })
        #expect(docs.contains { $0.sections.contains { $0.page != nil } })
        #expect(docs.contains { $0.format == .code })
        let formats = Set(docs.filter { $0.path?.hasPrefix(TestPaths.corpus) == true }.map(\.format))
        #expect(formats.isSuperset(of: [.markdown, .html, .json, .jsonl, .csv, .code, .text]))
        #expect(docs.filter { $0.path?.hasPrefix(TestPaths.corpus) == true }.count >= 14)
    }

    // MARK: Examples

    @Test("a short text is one chunk, from its first to its last word")
    func shortText() throws {
        let chunker = try RecursiveChunker(counter: Self.tokenizer)
        let doc = Document(source: "s", path: nil, format: .text, title: "s", text: "\n  Hello, World! Café.  \n")
        let chunks = chunker.chunk(doc)
        #expect(chunks == [Chunk(ordinal: 0, text: "Hello, World! Café.", tokenCount: 6, headingPath: [], range: 3..<23, page: nil)])
    }

    @Test("text that is only whitespace or empty has no chunks")
    func noContent() throws {
        let chunker = try RecursiveChunker(counter: Self.tokenizer)
        for text in ["", " \n\t\n "] {
            #expect(chunker.chunk(Document(source: "e", path: nil, format: .text, title: "e", text: text)).isEmpty)
        }
    }

    @Test("paragraphs that fit are kept whole: chunks end at paragraph boundaries")
    func paragraphBoundaries() throws {
        let paragraph = (1...3).map { _ in
            String(repeating: "alpha beta gamma delta epsilon. ", count: 8).trimmingCharacters(in: .whitespaces)
        }
        let text = paragraph.joined(separator: "\n\n")  // three paragraphs of 48 tokens each
        let chunker = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: 100, overlap: 0))
        let chunks = chunker.chunk(Document(source: "p", path: nil, format: .text, title: "p", text: text))
        #expect(chunks.map(\.tokenCount) == [96, 48])
        #expect(chunks.map(\.text) == [paragraph[0] + "\n\n" + paragraph[1], paragraph[2]])
    }

    @Test("the overlap starts at the strongest boundary within reach: here a sentence start")
    func overlapAtSentence() throws {
        let sentences = (0..<12).map { "Sentence \($0) is short and plain here." }
        for s in sentences { #expect(Self.tokenizer.countTokens(s) == 8) }
        let text = sentences.joined(separator: " ")  // 96 tokens, a sentence boundary every 8
        let chunker = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: 40, overlap: 12))
        let chunks = chunker.chunk(Document(source: "o", path: nil, format: .text, title: "o", text: text))
        // Five sentences fill a chunk; the next one starts with the last sentence of the previous
        // (8 tokens, the only sentence start within 12 tokens), not 12 tokens back mid-sentence.
        #expect(chunks.map(\.text) == [sentences[0...4], sentences[4...8], sentences[8...11]].map { $0.joined(separator: " ") })
        #expect(chunks.map(\.tokenCount) == [40, 40, 32])
    }

    @Test("a section's leading and trailing whitespace is outside its chunks; a heading line starts its first chunk")
    func chunkEdges() throws {
        let doc = try MarkdownLoader().load(Fixture.inline("# Title\n\nBody text.\n\n\n## Next\n\nMore text.\n\n", name: "e.md"))[0]
        let chunks = try RecursiveChunker(counter: Self.tokenizer).chunk(doc)
        #expect(chunks.map(\.text) == ["# Title\n\nBody text.", "## Next\n\nMore text."])
        #expect(chunks.map(\.headingPath) == [["Title"], ["Title", "Next"]])
    }

    @Test("decomposed accents (NFD) stay with their letters at chunk edges")
    func decomposedAccents() throws {
        let text = String(repeating: "cafe\u{301} ", count: 300)
        let doc = Document(source: "nfd", path: nil, format: .text, title: "nfd", text: text)
        let chunks = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: 32, overlap: 0)).chunk(doc)
        #expect(chunks.count > 5)
        let cut = chunks.filter { !$0.text.hasSuffix("cafe\u{301}") }
        #expect(cut.isEmpty, "\(cut.count) of \(chunks.count) chunks end before U+0301")
    }

    @Test("markdown headings become chunk heading paths, and a '# ' line in a code fence does not")
    func markdownHeadingPaths() throws {
        let input = try Fixture.input("good/guide.md")
        let doc = try MarkdownLoader().load(input)[0]
        let chunks = try RecursiveChunker(counter: Self.tokenizer).chunk(doc)
        #expect(
            chunks.map(\.headingPathString) == [
                "Limits", "Limits > Maximum length of a string", "Limits > Maximum number of columns",
                "Limits > Maximum number of columns > Notes"
            ])
        #expect(chunks[2].text.contains("# not a heading"))
    }

    @Test("PDF pages are chunked apart and keep their page numbers", .enabled(if: GeneratedDocuments.hasPdftotext))
    func pdfPages() throws {
        let input = LoaderInput(
            path: Fixture.path("good/doc.pdf"), data: try Fixture.bytes("good/doc.pdf"), text: "", options: LoadOptions())
        let doc = try PDFLoader().load(input)[0]
        let chunks = try RecursiveChunker(counter: Self.tokenizer).chunk(doc)
        #expect(chunks.map(\.text) == ["PAGEONE alpha", "PAGETWO beta"])
        #expect(chunks.map(\.page) == [1, 2])
    }

    @Test("chunking is deterministic")
    func deterministic() throws {
        let chunker = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: 64, overlap: 10))
        for doc in GeneratedDocuments.all.prefix(10) { #expect(chunker.chunk(doc) == chunker.chunk(doc)) }
    }

    // MARK: Options

    @Test("sizes outside 32...254 are refused, naming the limit", arguments: [300, 255, 31, 0, -5])
    func invalidSize(_ size: Int) {
        do {
            _ = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: size, overlap: 0))
            Issue.record("size \(size) was accepted")
        } catch {
            #expect(error.description.contains("\(size)"))
            #expect(error.description.contains("254"))
            #expect(error.description.contains("32"))
        }
    }

    @Test(
        "an overlap of half the size or more, or below zero, is refused, naming the limit",
        arguments: [(100, 50), (100, 99), (200, 100), (32, 16), (64, -1)])
    func invalidOverlap(_ size: Int, _ overlap: Int) {
        do {
            _ = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: size, overlap: overlap))
            Issue.record("overlap \(overlap) with size \(size) was accepted")
        } catch {
            #expect(error.description.contains("overlap \(overlap)"))
            #expect(error.description.contains("half the chunk size (\(size / 2 - 1))"))
        }
    }

    @Test("the limits themselves are accepted", arguments: [(32, 0), (32, 15), (254, 126), (200, 30), (254, 0)])
    func validOptions(_ size: Int, _ overlap: Int) throws {
        let chunker = try RecursiveChunker(counter: Self.tokenizer, options: ChunkingOptions(size: size, overlap: overlap))
        #expect(chunker.options == ChunkingOptions(size: size, overlap: overlap))
    }

    @Test("the default options are 200 tokens with 30 of overlap")
    func defaults() {
        #expect(ChunkingOptions() == ChunkingOptions(size: 200, overlap: 30))
    }
}

extension ChunkingOptions: CustomTestStringConvertible {
    public var testDescription: String { "size \(size), overlap \(overlap)" }
}
