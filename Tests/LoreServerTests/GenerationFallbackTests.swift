import Foundation
import LoreTestSupport
import Testing

/// When the LLM cannot be reached, a query fails with a clear 503 `backend_unavailable`, or,
/// with `generation.fallback: extractive`, is answered by the extractive answerer and says so.
@Suite("Generation fallback")
struct GenerationFallbackTests {
    /// A configuration whose `llm` backend is a loopback port nothing listens on
    /// (connections are refused at once), optionally with a fallback.
    static func config(_ dir: TemporaryDirectory, fallback: String?, backend: String = "extractive") -> String {
        let port = ServerProcess.refusingPort()
        return dir.write(
            "lore.yaml",
            """
            generation:
              backend: \(backend)
              backends:
                - name: llm
                  base_url: http://127.0.0.1:\(port)
                  model: smollm2
                  max_retries: 0
                  connect_timeout_s: 2
            \(fallback.map { "  fallback: \($0)" } ?? "")
            """)
    }

    @Test("without a fallback, a query for an unreachable LLM gets 503 backend_unavailable with Retry-After")
    func unavailable() async throws {
        let dir = TemporaryDirectory("lore-fallback")
        let server = try await LoreServe(["--config", Self.config(dir, fallback: nil)])
        let r = try await server.post("/v1/query", #"{"question":"What is WAL mode?","backend":"llm"}"#)
        #expect(r.status == 503)
        #expect(r.error?.code == "backend_unavailable")
        #expect(r.error?.message.contains("llm") == true)
        #expect(r.headers["retry-after"] == "5")
        // The extractive default still answers.
        #expect(try await server.post("/v1/query", #"{"question":"What is WAL mode?"}"#).status == 200)
    }

    @Test("with generation.fallback: extractive, the extractive answerer answers and the response names the backend that failed")
    func fallsBack() async throws {
        let dir = TemporaryDirectory("lore-fallback")
        let server = try await LoreServe(["--config", Self.config(dir, fallback: "extractive")])
        let r = try await server.post("/v1/query", #"{"question":"What is WAL mode?","backend":"llm"}"#)
        #expect(r.status == 200)
        let o = try #require(r.json)
        #expect(o["backend"] as? String == "extractive")
        #expect(o["fallback_from"] as? String == "llm")
        #expect((o["answer"] as? String)?.contains("[1]") == true)
        #expect(try await server.get("/metrics").body.contains(#"lore_generation_fallbacks_total{backend="llm",fallback="extractive"} 1"#))
    }

    @Test("an LLM default that the fallback covers leaves /readyz ready; without the fallback, /readyz is 503 naming it")
    func readiness() async throws {
        let dir = TemporaryDirectory("lore-fallback")
        let covered = try await LoreServe(["--config", Self.config(dir, fallback: "extractive", backend: "llm")])
        #expect(try await covered.get("/readyz").status == 200)
        let answer = try await covered.post("/v1/query", #"{"question":"What is WAL mode?"}"#)
        #expect(answer.status == 200)
        #expect(answer.json?["fallback_from"] as? String == "llm")
        let other = TemporaryDirectory("lore-fallback")
        let uncovered = try await LoreServe(["--config", Self.config(other, fallback: nil, backend: "llm")])
        let ready = try await uncovered.get("/readyz")
        #expect(ready.status == 503)
        #expect(ready.body.contains("generation"))
    }

    @Test("a fallback that is not a configured backend is refused at start, naming the key")
    func unknownFallback() async throws {
        let dir = TemporaryDirectory("lore-fallback")
        let r = try await runLore([
            "serve", "--config", Self.config(dir, fallback: "nope"), "--db", (try await ServeCorpus.database()), "--port", "0",
            "--unauthenticated"
        ])
        #expect(r.status != 0)
        #expect(r.stderr.contains("generation.fallback"))
        #expect(r.stderr.contains("nope"))
    }
}
