import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// Ingest embeds every new chunk with the collection's model, reuses cached embeddings, and
/// refuses to mix models in one collection.
@Suite("lore ingest: embeddings")
struct IngestEmbeddingTests {
    struct Counts: Decodable {
        var ingested: Int, updated: Int, unchanged: Int, chunks: Int, embedded: Int
        var embeddingsCached: Int
        enum CodingKeys: String, CodingKey { case ingested, updated, unchanged, chunks, embedded, embeddingsCached = "embeddings_cached" }
    }

    func ingest(_ args: [String]) throws -> Counts {
        let r = try runLore(["ingest"] + args + ["--json"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        return try JSONDecoder().decode(Counts.self, from: Data(r.stdout.utf8))
    }

    func section(_ title: String, _ body: String) -> String { "## \(title)\n\n\(body)\n\n" }

    @Test("every chunk gets a 384-dimension vector and the collection records its model")
    func vectorsForEveryChunk() throws {
        let dir = TemporaryDirectory()
        dir.write(
            "t/a.md",
            "# A\n\n" + section("One", "Write-ahead logging keeps readers and writers apart.")
                + section("Two", "Checkpoints move pages back to the database."))
        let db = dir.path + "/lore.db"
        let c = try ingest([dir.path + "/t", "--db", db])
        #expect(c.chunks > 0 && c.embedded == c.chunks && c.embeddingsCached == 0)
        let store = try Store(path: db)
        let collection = try #require(try store.existingCollectionID(named: "default"))
        #expect(try store.embeddingModel(collectionID: collection) == EmbeddingModelInfo(id: "all-MiniLM-L6-v2", dimension: 384))
        let doc = try #require(try store.documents(collectionID: collection).first)
        let vectors = try store.vectors(documentID: doc.id)
        #expect(vectors.count == doc.chunkCount)
        for v in vectors {
            #expect(v.vector.count == 384)
            #expect(abs(v.vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        }
    }

    @Test("re-ingesting a changed document embeds only the chunk texts never seen before")
    func cacheEmbedsOnlyNewTexts() throws {
        let dir = TemporaryDirectory()
        let sections = (0..<6).map {
            section("Part \($0)", "Part \($0) explains topic number \($0 * 13) in enough words to stand alone as a chunk.")
        }
        dir.write("t/a.md", "# Doc\n\n" + sections.joined())
        let db = dir.path + "/lore.db"
        let first = try ingest([dir.path + "/t", "--db", db])
        #expect(first.embedded == first.chunks)

        var changed = sections
        changed[2] = section("Part 2", "A brand new explanation replaces the old text of part two entirely.")
        dir.write("t/a.md", "# Doc\n\n" + changed.joined())
        let second = try ingest([dir.path + "/t", "--db", db])
        #expect(second.updated == 1)
        #expect(second.embedded == 1, "only the changed section is embedded")
        #expect(second.embeddingsCached == second.chunks - 1)

        // Re-chunking (another size) reuses whatever texts come out the same.
        let store = try Store(path: db)
        #expect(try store.connection.scalarInt("SELECT count(*) FROM embedding_cache") == Int64(first.chunks + 1))
    }

    @Test("a collection bound to another model is refused, naming both models and the fix")
    func modelMismatchIsRefused() throws {
        let dir = TemporaryDirectory()
        dir.write("t/a.txt", "A first document about durable storage and transactions.\n")
        let db = dir.path + "/lore.db"
        _ = try ingest([dir.path + "/t", "--db", db])
        // As if the collection had been built by another embedding model.
        let store = try Store(path: db)
        try store.connection.execute("UPDATE collections SET embedding_model = 'text-embedding-3-small', embedding_dim = 1536")
        dir.write("t/b.txt", "A second document that must not be embedded with a different model.\n")
        let r = try runLore(["ingest", dir.path + "/t", "--db", db])
        #expect(r.status != 0)
        #expect(
            r.stderr.contains("text-embedding-3-small (1536 dimensions)") && r.stderr.contains("all-MiniLM-L6-v2 (384 dimensions)"),
            "\(r.stderr)")
        #expect(r.stderr.contains("lore reindex --collection default"))
        #expect(try store.connection.scalarInt("SELECT count(*) FROM documents") == 1, "nothing was written")
    }
}
