import Foundation
import LoreEmbed
import LoreEmbedHTTP
import LoreTestSupport
import Testing

/// The OpenAI-compatible client against a real embeddings server on loopback (infinity-emb
/// serving the same all-MiniLM-L6-v2), with a fault-injecting proxy in front of it for the
/// faults a real server cannot be made to produce on demand.
@Suite("OpenAI-compatible embeddings client", .serialized)
struct OpenAICompatibleEmbedderTests {
    /// One server for the suite (started on first use; stopped when the test process exits).
    static let shared: Result<(server: ServerProcess, url: String), any Error> = EmbeddingServer.shared

    func server() throws -> String { try Self.shared.get().url }

    func config(_ url: String, _ change: (inout OpenAIEmbedderConfiguration) -> Void = { _ in }) -> OpenAIEmbedderConfiguration {
        var c = OpenAIEmbedderConfiguration(
            baseURL: url, model: "all-MiniLM-L6-v2", batchSize: 8, concurrency: 2, timeout: .seconds(30),
            maxRetries: 3, initialBackoff: .milliseconds(50))
        change(&c)
        return c
    }

    @Test("vectors over HTTP match the in-process MiniLM (a second parity check)")
    func parityOverHTTP() async throws {
        let embedder = try await OpenAICompatibleEmbedder.connect(config(try server()))
        #expect(embedder.dimension == 384)
        let texts = Array(ReferenceTexts.sample.prefix(20))
        let remote = try await embedder.embed(texts)
        let local = try MiniLMEmbedder(modelDirectory: TestPaths.model, kernel: .fp32).embedSync(texts)
        for (r, l) in zip(remote, local) {
            let cos = zip(r, l).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(cos > 0.9999, "cosine \(cos)")
        }
    }

    @Test("a configured dimension the server does not produce is refused, naming both")
    func dimensionMismatch() async throws {
        let url = try server()
        await #expect {
            _ = try await OpenAICompatibleEmbedder.connect(config(url) { $0.dimension = 512 })
        } throws: { error in
            let text = "\(error)"
            return text.contains("384") && text.contains("512")
        }
    }

    @Test("a 429 with Retry-After is retried after the time it asks for")
    func retryAfterIsHonoured() async throws {
        let proxy = try EmbeddingServer.faultProxy(upstream: try server(), ["--fail-first", "2", "--status", "429", "--retry-after", "1"])
        defer { proxy.server.stop() }
        let start = ContinuousClock.now
        let embedder = try await OpenAICompatibleEmbedder.connect(config(proxy.url))
        let elapsed = ContinuousClock.now - start
        #expect(embedder.dimension == 384)
        #expect(elapsed >= .seconds(2), "two Retry-After: 1 answers cost at least 2 s, took \(elapsed)")
    }

    @Test("5xx answers are retried, then fail with the status, the body and the batch")
    func serverErrorsGiveUpClearly() async throws {
        let proxy = try EmbeddingServer.faultProxy(upstream: try server(), ["--fail-first", "100", "--status", "503"])
        defer { proxy.server.stop() }
        await #expect {
            _ = try await OpenAICompatibleEmbedder.connect(config(proxy.url) { $0.maxRetries = 2 })
        } throws: { error in
            let text = "\(error)"
            return text.contains("503") && text.contains("batch 0") && text.contains("injected fault") && text.contains("after 3 attempts")
        }
    }

    @Test("a 4xx is not retried and names the status")
    func clientErrorsAreNotRetried() async throws {
        let proxy = try EmbeddingServer.faultProxy(upstream: try server(), ["--fail-first", "1", "--status", "400"])
        defer { proxy.server.stop() }
        await #expect {
            _ = try await OpenAICompatibleEmbedder.connect(config(proxy.url))
        } throws: { "\($0)".contains("400") }
    }

    @Test("per-token vectors (a server without pooling) are rejected with the fix")
    func perTokenVectorsAreRejected() async throws {
        let proxy = try EmbeddingServer.faultProxy(upstream: try server(), ["--per-token"])
        defer { proxy.server.stop() }
        await #expect {
            _ = try await OpenAICompatibleEmbedder.connect(config(proxy.url))
        } throws: { "\($0)".contains("per-token vectors") && "\($0)".contains("pooling") }
    }

    @Test("no server: connection errors are retried, then named")
    func connectionRefused() async throws {
        let port = ServerProcess.refusingPort()
        await #expect {
            _ = try await OpenAICompatibleEmbedder.connect(config("http://127.0.0.1:\(port)") { $0.maxRetries = 1 })
        } throws: { "\($0)".contains("cannot reach http://127.0.0.1:\(port)/v1/embeddings") }
    }

    @Test("a missing API key variable is named")
    func missingAPIKey() async throws {
        await #expect {
            _ = try await OpenAICompatibleEmbedder.connect(
                config("http://127.0.0.1:1") { $0.apiKeyEnvironmentVariable = "LORE_TEST_NO_SUCH_KEY" })
        } throws: { "\($0)".contains("LORE_TEST_NO_SUCH_KEY") }
    }
}

/// A few varied texts.
enum ReferenceTexts {
    static let sample: [String] = [
        "What is write-ahead logging?", "SQLite stores the whole database in a single file.",
        "Les vecteurs sont normalisés.", "数据库", "🙂 emoji and text", "", "   ",
        String(repeating: "a long text about indexes and query planning ", count: 40),
        "func embed(_ texts: [String]) async throws -> [[Float]]", "SELECT * FROM chunks WHERE id = ?;",
        "The quick brown fox", "Reciprocal rank fusion combines ranked lists.", "HNSW graphs have layers.",
        "Maximal marginal relevance trades relevance for diversity.", "Checkpoints copy pages back.",
        "Vacuum rebuilds the database file.", "PRAGMA journal_mode=WAL;", "Foreign keys are off by default.",
        "A covering index holds every column a query needs.", "Triggers run SQL on insert, update or delete."
    ]
}
