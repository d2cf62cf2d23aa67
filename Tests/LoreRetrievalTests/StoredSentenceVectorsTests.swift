import Foundation
import LoreCore
import LorePrompts
import LoreQuery
import LoreRetrieval
import LoreStore
import LoreTestSupport
import Testing

/// The extractive answerer's sentence vectors computed at ingest: `lore ingest` stores every
/// chunk's candidate sentences once, a question then embeds only itself, the answers are
/// those that embed the sentences per question, and the pass is incremental.
@Suite("Sentence vectors stored at ingest")
struct StoredSentenceVectorsTests {
    let fixture = CorpusFixture.shared
    typealias CountingEmbedder = SentenceVectorCacheTests.CountingEmbedder

    func answer(_ question: String, with answerer: ExtractiveAnswerer) async throws -> String {
        try await SentenceVectorCacheTests().answer(question, with: answerer)
    }

    @Test("after lore ingest (the default), answers with the stored vectors are those that embed the sentences, and embed nothing")
    func storedAnswers() async throws {
        let (store, id, _) = try fixture.open()
        let counts = try store.sentenceVectorCounts(collectionID: id, model: fixture.embedder.modelID)
        let chunks = try store.chunkTexts(collectionID: id)
        #expect(counts.chunks == chunks.count, "every chunk is done: \(counts.chunks) of \(chunks.count)")
        let distinct = Set(chunks.flatMap { ExtractiveAnswerer.candidateSentences($0.text) })
        #expect(counts.vectors >= distinct.count && distinct.count > 100, "\(counts.vectors) vectors for \(distinct.count) sentences")

        let counting = CountingEmbedder(fixture.embedder)
        let stored = ExtractiveAnswerer(embedder: counting, stored: try StoredSentenceVectors(path: fixture.database))
        let plain = ExtractiveAnswerer(embedder: fixture.embedder)
        for q in [
            "What does write-ahead logging let readers do while a writer commits?",
            "How does the BM25 scorer compute inverse document frequency?",
            "Which port does the service listen on by default?"
        ] {
            let expected = try await answer(q, with: plain)
            #expect(try await answer(q, with: stored) == expected, "\(q)")
        }
        #expect(counting.texts == 0, "the answers embedded \(counting.texts) texts")
    }

    @Test("the pass does each chunk once: again it does nothing; a changed file's chunks are done again, known sentences not re-embedded")
    func incremental() async throws {
        let dir = TemporaryDirectory("lore-sentences")
        let docs = dir.path + "/docs"
        try FileManager.default.createDirectory(atPath: docs, withIntermediateDirectories: true)
        let body = "Backups run every night at two. They are kept for thirty days on the second disk. Restores take about ten minutes."
        try "# Backups\n\n\(body)\n".write(toFile: docs + "/a.md", atomically: true, encoding: .utf8)
        try "# Alerts\n\nAlerts page the operator on call. A second alert within an hour escalates to the team lead.\n"
            .write(toFile: docs + "/b.md", atomically: true, encoding: .utf8)
        let db = dir.path + "/lore.db"
        let config = dir.path + "/lore.yaml"
        try "extractive:\n  sentence_vectors: query\n".write(toFile: config, atomically: true, encoding: .utf8)
        let ingest = { try runLore(["ingest", docs, "--db", db, "--config", config, "--json"]) }
        let first = try ingest()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\"sentence_vectors\":null"), "query mode stores none: \(first.stdout)")

        let store = try Store(path: db)
        let id = try #require(try store.existingCollectionID(named: "default"))
        let pass = SentenceVectorPass(embedder: fixture.embedder)
        let done = try await pass.run(store, collectionID: id)
        #expect(done.chunks == 2 && done.sentences == 5 && done.embedded == 5, "\(done)")
        let again = try await pass.run(store, collectionID: id)
        #expect(again.chunks == 0 && again.embedded == 0, "\(again)")

        // a.md gains a sentence: its new chunk is done again, and only the new sentence is embedded.
        try "# Backups\n\n\(body) Each backup is checked by restoring it to a scratch machine.\n"
            .write(toFile: docs + "/a.md", atomically: true, encoding: .utf8)
        #expect(try ingest().status == 0)
        let changed = try await pass.run(store, collectionID: id)
        #expect(changed.chunks == 1 && changed.sentences == 4 && changed.embedded == 1, "\(changed)")
        let counts = try store.sentenceVectorCounts(collectionID: id, model: fixture.embedder.modelID)
        #expect(counts.chunks == 2 && counts.vectors == 6, "\(counts)")
    }

    @Test("the ingest-time scan's embedder reads a text that is a stored sentence and embeds only the others")
    func reusingEmbedder() async throws {
        let (store, id, _) = try fixture.open()
        let chunk = try #require(
            try store.chunkTexts(collectionID: id).first { !ExtractiveAnswerer.candidateSentences($0.text).isEmpty })
        let sentence = ExtractiveAnswerer.candidateSentences(chunk.text)[0]
        let counting = CountingEmbedder(fixture.embedder)
        let reusing = SentenceReusingEmbedder(counting, stored: try StoredSentenceVectors(path: fixture.database))
        let texts = [sentence, "A window no chunk of the corpus holds, about lighthouses and fog horns."]
        let vectors = try await reusing.embed(texts)
        #expect(counting.texts == 1, "only the unknown text is embedded, not \(counting.texts)")
        let fresh = try await fixture.embedder.embed(texts)
        for (v, f) in zip(vectors, fresh) {
            #expect(zip(v, f).reduce(Float(0)) { $0 + $1.0 * $1.1 } > 0.9999)
        }
    }

    @Test("a store written before sentence vectors existed gives none, and the answerer embeds the sentences as before")
    func oldStore() async throws {
        let dir = TemporaryDirectory("lore-sentences-old")
        let db = dir.path + "/old.db"
        let store = try Store(path: db)
        try store.connection.execute("DROP TABLE chunk_sentences; DROP TABLE sentence_vectors")
        let source = try StoredSentenceVectors(path: db)
        let found = source.vectors(model: fixture.embedder.modelID, dimension: 384, for: ["A sentence that was never stored."])
        #expect(found.count == 1 && found[0] == nil)
    }

    @Test("float16 storage keeps a unit vector's cosine with itself above 0.9999")
    func halfPrecision() async throws {
        let v = try await fixture.embedder.embed(["Write-ahead logging lets readers proceed while a writer commits."])[0]
        let back = HalfVectorCoding.decode(HalfVectorCoding.encode(v))
        #expect(back.count == v.count)
        let dot = zip(v, back).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(dot > 0.9999, "\(dot)")
    }
}
