import LoreRetrieval
import Testing

/// Overlapping chunks of one document become one passage; nothing is shown twice or lost.
@Suite("Merging overlapping chunks")
struct PassageMergerTests {
    static let document = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota. Kappa lambda mu. Nu xi omicron."

    /// A passage holding the document's bytes `range`.
    static func passage(_ id: Int64, _ range: Range<Int>, document: Int64 = 1, score: Double = 1, text: String = document) -> Passage {
        let bytes = Array(text.utf8)[range]
        return Passage(
            chunkIDs: [id], documentID: document, source: "doc\(document)", title: "Doc", format: "txt",
            headingPath: "", text: String(decoding: bytes, as: UTF8.self), range: range, page: nil, score: score,
            relevance: score, denseRank: Int(id), lexicalRank: nil, vector: nil)
    }

    @Test("two overlapping chunks merge into the document text they span, in the best one's place")
    func overlapping() {
        let a = Self.passage(1, 0..<37, score: 0.5), b = Self.passage(2, 30..<70, score: 0.9), c = Self.passage(3, 0..<20, document: 2)
        let merged = PassageMerger.merge([b, c, a])
        #expect(merged.count == 2)
        let m = merged[0]
        #expect(m.chunkIDs == [2, 1])
        #expect(m.range == 0..<70)
        #expect(m.text == String(decoding: Array(Self.document.utf8)[0..<70], as: UTF8.self))
        #expect(m.score == 0.9)
        #expect(m.denseRank == 1)
        #expect(merged[1].chunkIDs == [3])
    }

    @Test("a chain of overlaps merges transitively; a contained chunk adds nothing")
    func chain() {
        let parts = [
            Self.passage(1, 0..<30), Self.passage(2, 25..<55), Self.passage(3, 50..<Self.document.utf8.count), Self.passage(4, 5..<15)
        ]
        let merged = PassageMerger.merge(parts.reversed())
        #expect(merged.count == 1)
        #expect(merged[0].text == Self.document)
        #expect(Set(merged[0].chunkIDs) == [1, 2, 3, 4])
    }

    @Test("adjacent but not overlapping chunks, and chunks of different documents, stay apart")
    func apart() {
        let merged = PassageMerger.merge([Self.passage(1, 0..<18), Self.passage(2, 18..<37), Self.passage(3, 10..<30, document: 2)])
        #expect(merged.map(\.chunkIDs) == [[1], [2], [3]])
    }

    @Test("multi-byte text merges on byte offsets without breaking characters")
    func utf8() {
        let text = "Größe über alles. Ça va très bien. 日本語の文章です。"
        let n = text.utf8.count
        let merged = PassageMerger.merge([Self.passage(1, 0..<27, text: text), Self.passage(2, 20..<n, text: text)])
        #expect(merged.count == 1 && merged[0].text == text)
    }
}
