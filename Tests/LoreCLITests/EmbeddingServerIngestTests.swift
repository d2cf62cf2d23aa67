import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// Ingest and reindex through a real OpenAI-compatible embeddings server (infinity-emb on
/// loopback), including the server going away in the middle.
@Suite("lore ingest and reindex with an embeddings server", .serialized)
struct EmbeddingServerIngestTests {
    static let shared: Result<(server: ServerProcess, url: String), any Error> = Result {
        try EmbeddingServer.start(modelName: "minilm-http")
    }

    /// A configuration file that makes failures quick.
    func config(_ dir: TemporaryDirectory) -> String {
        dir.write(
            "lore.yaml",
            """
            openai_embedder:
              model: minilm-http
              batch_size: 64
              max_retries: 1
              timeout_s: 60
            """)
    }

    func tree(_ dir: TemporaryDirectory, files: Int) -> String {
        for i in 0..<files {
            var text = "# Page \(i)\n\n"
            for s in 0..<8 { text += "## Part \(s)\n\nPage \(i), part \(s): notes on journaling, locking and topic \(i * 17 + s).\n\n" }
            dir.write("tree/p\(i).md", text)
        }
        return dir.path + "/tree"
    }

    @Test("the server stopped mid-ingest: a clear error, and no document half-embedded")
    func serverStoppedMidIngest() throws {
        let url = try Self.shared.get().url
        let dir = TemporaryDirectory()
        let root = tree(dir, files: 60)
        // The proxy forwards the probe and 4 requests, then answers 503 as a dead server would.
        let proxy = try EmbeddingServer.faultProxy(upstream: url, ["--fail-after", "5", "--status", "503"])
        defer { proxy.server.stop() }
        let db = dir.path + "/lore.db"
        let r = try runLore([
            "ingest", root, "--db", db, "--config", config(dir), "--embedder", "openai-compatible", "--embedder-url", proxy.url
        ])
        #expect(r.status != 0)
        #expect(
            r.stderr.contains("503") && r.stderr.contains("gave up after 2 attempts") && r.stderr.contains("\(proxy.url)/v1/embeddings"),
            "\(r.stderr)")
        let store = try Store(path: db)
        #expect(try store.checkIntegrity().isConsistent)
        let docs = try store.connection.scalarInt("SELECT count(*) FROM documents") ?? -1
        #expect(docs < 60, "the run stopped early (\(docs) documents)")
        #expect(
            try store.connection.scalarInt(
                "SELECT count(*) FROM chunks c LEFT JOIN vectors v ON v.chunk_id = c.id WHERE v.chunk_id IS NULL") == 0)

        // With the server back, the next run completes the work.
        let again = try runLore([
            "ingest", root, "--db", db, "--config", config(dir), "--embedder", "openai-compatible", "--embedder-url", url
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try store.connection.scalarInt("SELECT count(*) FROM documents") == 60)
        #expect(try store.connection.scalarInt("SELECT count(DISTINCT model) FROM vectors") == 1)
    }

    @Test("reindex switches a collection to the server's model only when complete, and resumes after an interruption")
    func reindexIsAtomicAndResumable() throws {
        let url = try Self.shared.get().url
        let dir = TemporaryDirectory()
        let root = tree(dir, files: 60)  // 60 × 9 chunks: more than one reindex batch of 256
        let db = dir.path + "/lore.db"
        let first = try runLore(["ingest", root, "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        let store = try Store(path: db)
        let collection = try #require(try store.existingCollectionID(named: "default"))
        let chunks = try store.connection.scalarInt("SELECT count(*) FROM chunks") ?? 0
        #expect(chunks > 256)

        // Interrupted: the proxy dies after the probe and the first batch of 256 (4 requests of 64).
        let proxy = try EmbeddingServer.faultProxy(upstream: url, ["--fail-after", "5", "--status", "503"])
        defer { proxy.server.stop() }
        let broken = try runLore([
            "reindex", "--db", db, "--config", config(dir), "--embedder", "openai-compatible", "--embedder-url", proxy.url
        ])
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("keeps its current vectors"), "\(broken.stderr)")
        #expect(try store.embeddingModel(collectionID: collection)?.id == "all-MiniLM-L6-v2", "the old vectors stay in service")
        #expect(try store.connection.scalarInt("SELECT count(*) FROM vectors WHERE model = 'all-MiniLM-L6-v2'") == chunks)

        // Resumed against the real server: the first batch comes from the cache.
        let resumed = try runLore([
            "reindex", "--db", db, "--config", config(dir), "--embedder", "openai-compatible", "--embedder-url", url, "--json"
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        struct Report: Decodable { var chunks: Int; var embedded: Int; var cached: Int }
        let report = try JSONDecoder().decode(Report.self, from: Data(resumed.stdout.utf8))
        #expect(report.chunks == Int(chunks) && report.cached >= 256)
        #expect(try store.embeddingModel(collectionID: collection) == EmbeddingModelInfo(id: "minilm-http", dimension: 384))
        #expect(try store.connection.scalarInt("SELECT count(*) FROM vectors WHERE model = 'minilm-http'") == chunks)

        // Ingest now refuses the in-process model for this collection, naming both.
        dir.write("tree/new.md", "# New\n\nA new page arrives after the switch.\n")
        let mixed = try runLore(["ingest", root, "--db", db])
        #expect(mixed.status != 0 && mixed.stderr.contains("minilm-http") && mixed.stderr.contains("all-MiniLM-L6-v2"))
    }

    @Test(
        "the server failing during the injection scan: an error naming it, no chunk recorded as scanned, and the next scan takes them all")
    func serverFailsDuringScan() throws {
        // The classifier reads vectors of the model it was trained on: the server under that name.
        let url = try EmbeddingServer.shared.get().url
        let dir = TemporaryDirectory()
        // Paragraphs of several sentences: each chunk has windows for the scan to embed.
        for i in 0..<3 {
            dir.write(
                "docs/page\(i).md",
                """
                # Page \(i)

                The rollback journal keeps the original content of every page a transaction changes. \
                The journal is written before the database file is changed in place. When the transaction \
                commits, the journal is deleted, truncated or zeroed, depending on the journal mode. After a \
                crash, the next connection to open the database rolls it back from the journal.
                """)
        }
        let db = dir.path + "/lore.db"
        let noScan = dir.write("no-scan.yaml", "guardrails:\n  context:\n    scan_at_ingest: false\n")
        let ingest = try runLore(["ingest", dir.path + "/docs", "--db", db, "--config", noScan])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        func http(_ base: String) -> String {
            dir.write(
                "http.yaml",
                "embedder: openai-compatible\nopenai_embedder:\n  base_url: \(base)\n  model: all-MiniLM-L6-v2\n  max_retries: 0\n")
        }

        // The proxy forwards the probe, then answers 503 as a server that went down would.
        let proxy = try EmbeddingServer.faultProxy(upstream: url, ["--fail-after", "1", "--status", "503"])
        defer { proxy.server.stop() }
        let failed = try runLore(["guard", "scan", "--db", db, "--config", http(proxy.url)])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("503") && failed.stderr.contains("stay unscanned"), "\(failed.stderr)")
        let store = try Store(path: db)
        #expect(try store.scanCounts().scanned == 0, "no verdict on the structural checks alone")

        let done = try runLore(["guard", "scan", "--db", db, "--config", http(url)])
        #expect(done.status == 0, "\(done.stderr)")
        let chunks = try #require(try store.connection.scalarInt("SELECT count(*) FROM chunks"))
        #expect(chunks >= 3)
        #expect(try store.scanCounts().scanned == chunks, "\(done.stdout)")
    }
}
