import Foundation
import LoreCore
import LoreStore
import LoreTestSupport
import Testing

/// Lexical retrieval takes any user text without an FTS5 syntax error, ranks by BM25, and
/// stays inside its collection.
@Suite("Lexical search")
struct LexicalSearchTests {
    func store(_ dir: TemporaryDirectory) throws -> (Store, Int64) {
        let s = try Store(path: dir.path + "/s.db")
        let cid = try s.collectionID(named: "default")
        let texts = [
            "a.txt": "The write-ahead log lets readers continue while a writer commits.",
            "b.txt": "Checkpoints copy pages from the write-ahead log back into the database.",
            "c.txt": "Vacuum rebuilds the database file to reclaim free pages.",
            "d.txt": "NEAR and NOT are words here, as are AND, OR and column:names with \"quotes\"."
        ]
        for (source, text) in texts.sorted(by: { $0.key < $1.key }) {
            let doc = Document(source: source, path: source, format: .text, title: source, text: text)
            let chunk = Chunk(ordinal: 0, text: text, tokenCount: 10, headingPath: [], range: 0..<text.utf8.count, page: nil)
            _ = try s.replaceFile(collectionID: cid, path: source, file: nil, documents: [PreparedDocument(document: doc, chunks: [chunk])])
        }
        let other = try s.collectionID(named: "other")
        let doc = Document(source: "x.txt", path: "x.txt", format: .text, title: "x", text: "write-ahead log write-ahead log")
        _ = try s.replaceFile(
            collectionID: other, path: "x.txt", file: nil,
            documents: [
                PreparedDocument(
                    document: doc,
                    chunks: [Chunk(ordinal: 0, text: doc.text, tokenCount: 6, headingPath: [], range: 0..<doc.text.utf8.count, page: nil)])
            ])
        return (s, cid)
    }

    func sources(_ s: Store, _ hits: [LexicalHit]) throws -> [String] {
        try hits.map { h in
            let q = try s.connection.prepare("SELECT d.source FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?")
            try q.bind([.int(h.chunkID)])
            _ = try q.step()
            defer { q.reset() }
            return q.text(0)
        }
    }

    @Test(
        "hostile user text is never an FTS5 syntax error",
        arguments: [
            "\"unbalanced quote", "(parenthesis", "NEAR(a b)", "column:names", "write* OR", "AND", "NOT NOT", "^caret",
            "a - b + c", "'single'", "{braces}", "col:\"x\"", "", "   ", "???", "日本語のテキスト", "emoji 🚀 log"
        ])
    func hostileText(_ text: String) throws {
        let dir = TemporaryDirectory()
        let (s, cid) = try store(dir)
        _ = try s.lexicalSearch(collectionID: cid, text: text, limit: 5)
    }

    @Test("BM25 ranks the chunk with more and rarer matching words first, within the collection")
    func ranking() throws {
        let dir = TemporaryDirectory()
        let (s, cid) = try store(dir)
        let hits = try s.lexicalSearch(collectionID: cid, text: "How do readers and the writer share the write-ahead log?", limit: 10)
        let names = try sources(s, hits)
        #expect(names.first == "a.txt", "\(names)")
        #expect(names.contains("b.txt") && !names.contains("x.txt"))
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        // Operator words are plain words: they find the chunk that contains them.
        #expect(try sources(s, try s.lexicalSearch(collectionID: cid, text: "NEAR NOT column", limit: 3)).first == "d.txt")
        #expect(try s.lexicalSearch(collectionID: cid, text: "?!", limit: 3).isEmpty)
    }

    @Test("terms are the lower-cased words, each once, quotes doubled in the match")
    func terms() {
        #expect(LexicalQuery.terms("The WAL, the wal; x2 ok") == ["the", "wal", "x2", "ok"])
        #expect(LexicalQuery.match("say \"hi\"") == "\"say\" OR \"hi\"")
        #expect(LexicalQuery.match(" -- ") == nil)
    }

    @Test("words in more than a tenth of the chunks are left out when the question has rarer ones")
    func commonWords() throws {
        let dir = TemporaryDirectory()
        let s = try Store(path: dir.path + "/s.db")
        let cid = try s.collectionID(named: "default")
        for i in 0..<300 {
            var text = "alpha beta filler text number \(i) about nothing much."
            if i % 100 == 7 { text += " zebra stripes" }
            let doc = Document(source: "d\(i).txt", path: "d\(i).txt", format: .text, title: "d\(i)", text: text)
            let chunk = Chunk(ordinal: 0, text: text, tokenCount: 10, headingPath: [], range: 0..<text.utf8.count, page: nil)
            _ = try s.replaceFile(
                collectionID: cid, path: doc.source, file: nil, documents: [PreparedDocument(document: doc, chunks: [chunk])])
        }
        // alpha is everywhere: only zebra ranks, so only its three chunks come back.
        let hits = try s.lexicalSearch(collectionID: cid, text: "alpha zebra", limit: 50)
        #expect(hits.count == 3)
        // A question of common words only keeps the rarest half and still finds chunks.
        #expect(try s.lexicalSearch(collectionID: cid, text: "alpha beta", limit: 50).count == 50)
        #expect(try s.lexicalSearch(collectionID: cid, text: "alpha", limit: 50).count == 50)
        // A change to the store refreshes the counts: zebra in 60 more chunks (63 of 360) is common too.
        for i in 300..<360 {
            let text = "zebra crossing \(i) with alpha"
            let doc = Document(source: "z\(i).txt", path: "z\(i).txt", format: .text, title: "z\(i)", text: text)
            let chunk = Chunk(ordinal: 0, text: text, tokenCount: 6, headingPath: [], range: 0..<text.utf8.count, page: nil)
            _ = try s.replaceFile(
                collectionID: cid, path: doc.source, file: nil, documents: [PreparedDocument(document: doc, chunks: [chunk])])
        }
        #expect(try s.lexicalSearch(collectionID: cid, text: "alpha zebra stripes", limit: 50).count == 3)
        #expect(try s.lexicalSearch(collectionID: cid, text: "alpha zebra", limit: 100).count == 63)
    }
}
