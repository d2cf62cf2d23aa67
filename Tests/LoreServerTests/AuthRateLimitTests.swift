import Foundation
import LoreTestSupport
import Testing

/// Per-key token buckets: a key's own `--rate`/`--burst`, else `server.rate_limit`.
@Suite("lore serve: rate limits")
struct AuthRateLimitTests {
    static let question = #"{"question": "What does WAL mode let readers do?"}"#

    @Test(
        "a key with burst 3 and a slow rate gets 429 rate_limited with Retry-After on the 4th rapid request, and is served again once a token is back"
    )
    func burstThenRefill() async throws {
        let store = try await KeyedStore()
        let reader = try await store.create("reader", scope: "query")
        let server = try await LoreServe(database: store.database, unauthenticated: false)
        // One token every 10 s: four requests in a row cannot earn a fourth token, even on two
        // cores shared with the other HTTP suites (a CI run saw four requests span over 4 s).
        let key = try await store.create("limited", scope: "query", extra: ["--rate", "0.1", "--burst", "3"])
        for i in 1...3 {
            let r = try await server.post("/v1/retrieve", Self.question, headers: key.bearer)
            #expect(r.status == 200, "request \(i): \(r.body)")
        }
        let limited = try await server.post("/v1/retrieve", Self.question, headers: key.bearer)
        #expect(limited.status == 429, "\(limited.body)")
        #expect(limited.error?.code == "rate_limited")
        #expect(limited.error?.message.contains(key.id) == true, "\(limited.body)")
        let retryAfter = try #require(limited.headers["retry-after"].flatMap { Int($0) }, "\(limited.headers)")
        #expect((1...10).contains(retryAfter))
        // Other keys are not affected.
        #expect(try await server.post("/v1/retrieve", Self.question, headers: reader.bearer).status == 200)
        // Served again once the bucket refills (polled, within a few refill periods).
        let started = Date()
        var last = limited
        #expect(
            try await eventually(timeout: 30) {
                last = try await server.post("/v1/retrieve", Self.question, headers: key.bearer)
                return last.status != 429
            })
        #expect(last.status == 200, "\(last.body)")
        #expect(Date().timeIntervalSince(started) < Double(retryAfter) + 10)
        let m = try await server.get("/metrics").body
        #expect(m.contains(#"lore_rate_limited_total{key="\#(key.id)"}"#), "no lore_rate_limited_total for the key")
    }

    @Test("server.rate_limit applies to keys without their own, and to unauthenticated local access as one bucket")
    func configuredDefault() async throws {
        let dir = TemporaryDirectory("lore-rate")
        let config = dir.write("lore.yaml", "server:\n  rate_limit:\n    requests_per_second: 0.25\n    burst: 2\n")
        let server = try await LoreServe(["--config", config])
        for _ in 1...2 { #expect(try await server.get("/v1/nothing").status == 404) }
        let r = try await server.get("/v1/nothing")
        #expect(r.status == 429 && r.error?.code == "rate_limited", "\(r.body)")
        #expect(r.headers["retry-after"] != nil)
        #expect(r.error?.message.contains("local") == true, "\(r.body)")
        // The open routes are never limited.
        #expect(try await server.get("/healthz").status == 200)
    }
}
