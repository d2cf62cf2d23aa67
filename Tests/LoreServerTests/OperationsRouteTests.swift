import Foundation
import LoreTestSupport
import Testing

/// `/healthz`, `/readyz`, `/metrics`, `X-Request-ID`, and the loopback rule.
@Suite("lore serve: operations")
struct OperationsRouteTests {
    @Test("healthz and readyz answer 200; readyz lists its checks")
    func health() async throws {
        let server = try await LoreServe.shared.get()
        let h = try await server.get("/healthz")
        #expect(h.status == 200 && h.json?["status"] as? String == "ok", "\(h.body)")
        let r = try await server.get("/readyz")
        #expect(r.status == 200, "\(r.body)")
        let checks = try #require(r.json?["checks"] as? [[String: Any]])
        #expect(Set(checks.compactMap { $0["name"] as? String }) == ["store", "index"])
        #expect(checks.allSatisfy { $0["ok"] as? Bool == true })
    }

    @Test(
        "metrics are Prometheus text with the request counter by route and status, the latency histogram and the pipeline's metrics, the query-vector cache's among them"
    )
    func metrics() async throws {
        let server = try await LoreServe.shared.get()
        _ = try await server.get("/healthz")
        _ = try await server.get("/no/such/path")
        _ = try await server.post("/v1/query", #"{"question": "What does WAL mode let readers do?"}"#)
        // Asked again: its vector comes from the query-vector cache.
        _ = try await server.post("/v1/query", #"{"question": "What does WAL mode let readers do?"}"#)
        let m = try await server.get("/metrics")
        #expect(m.status == 200)
        #expect(m.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(m.body.contains(#"lore_http_requests_total{route="/healthz",method="GET",status="200"}"#), "\(m.body)")
        #expect(m.body.contains(#"lore_http_requests_total{route="/v1/query",method="POST",status="200"}"#))
        #expect(m.body.contains(#"lore_http_requests_total{route="unmatched",method="GET",status="404"}"#))
        #expect(m.body.contains("lore_http_request_duration_seconds_bucket{"))
        #expect(m.body.contains("lore_queries_total{"))
        #expect(m.body.contains("lore_retrieval_seconds_bucket{"))
        #expect(m.body.contains(#"lore_query_stage_seconds_bucket{stage="embed""#) && m.body.contains(#"stage="generate""#))
        #expect(m.body.contains("lore_time_to_first_token_seconds_bucket{"))
        #expect(m.body.contains(#"lore_tokens_total{backend="extractive",kind="completion"}"#))
        #expect(m.body.contains(#"lore_query_vector_cache_total{result="hit"}"#), "\(m.body)")
        #expect(m.body.contains("lore_query_vector_cache_hit_ratio ") && m.body.contains("lore_query_vector_cache_bytes "))
        // The corpus, read from the store at the scrape: both collections of the shared store.
        let documents = try await runLore(["stats", "--db", (try await ServeCorpus.database()), "--json"])
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(documents.stdout.utf8)) as? [String: Any])
        let collections = try #require(stats["collections"] as? [[String: Any]])
        for c in collections {
            let name = try #require(c["name"] as? String), count = try #require(c["documents"] as? Int)
            #expect(m.body.contains("lore_documents{collection=\"\(name)\"} \(count)"), "\(name): \(count)")
        }
        #expect(m.body.contains(#"lore_vectors{model="all-MiniLM-L6-v2"}"#) && m.body.contains("lore_chunks{collection="))
    }

    @Test("X-Request-ID: a valid one is echoed, an invalid one replaced, a missing one generated; on errors too")
    func requestID() async throws {
        let server = try await LoreServe.shared.get()
        #expect(try await server.get("/healthz", headers: ["X-Request-ID": "abc-123"]).headers["x-request-id"] == "abc-123")
        let long = String(repeating: "x", count: 129)
        let replaced = try #require(try await server.get("/healthz", headers: ["X-Request-ID": long]).headers["x-request-id"])
        #expect(replaced != long && !replaced.isEmpty && replaced.count <= 128)
        let generated = try #require(try await server.get("/healthz").headers["x-request-id"])
        #expect(!generated.isEmpty)
        #expect(try await server.get("/healthz").headers["x-request-id"] != generated)
        #expect(try await server.get("/nowhere", headers: ["X-Request-ID": "err-1"]).headers["x-request-id"] == "err-1")
        #expect(try await server.post("/v1/query", "{}", headers: ["X-Request-ID": "err-2"]).headers["x-request-id"] == "err-2")
    }

    @Test("it refuses --unauthenticated (or server.auth: none) beyond loopback, naming the flag")
    func loopbackOnly() async throws {
        let r = try await runLore([
            "serve", "--db", (try await ServeCorpus.database()), "--host", "0.0.0.0", "--port", "0", "--unauthenticated"
        ])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--unauthenticated") && r.stderr.contains("0.0.0.0"), "\(r.stderr)")
        let env = ProcessInfo.processInfo.environment.merging(["LORE_SERVER_AUTH": "none"]) { $1 }
        let e = try await runLore(
            ["serve", "--db", (try await ServeCorpus.database()), "--host", "0.0.0.0", "--port", "0"], environment: env)
        #expect(e.status != 0)
        #expect(e.stderr.contains("server.auth: none"), "\(e.stderr)")
    }
}
