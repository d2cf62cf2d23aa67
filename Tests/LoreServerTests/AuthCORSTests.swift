import Foundation
import LoreTestSupport
import Testing

/// `server.cors`: preflights answered before authentication for listed origins; listed
/// origins get `Access-Control-Allow-Origin` on every response; others get no CORS header.
@Suite("lore serve: CORS")
struct AuthCORSTests {
    static let origin = "https://app.example.com"
    static let question = #"{"question": "What does WAL mode let readers do?"}"#

    final class CORSServe: @unchecked Sendable {
        static let shared = SharedFixture { try await CORSServe() }
        let store: KeyedStore
        let key: KeyedStore.Key
        let server: LoreServe
        let directory = TemporaryDirectory("lore-cors")

        private init() async throws {
            store = try await KeyedStore()
            key = try await store.create("browser", scope: "query")
            let config = directory.write(
                "lore.yaml",
                """
                server:
                  cors:
                    allowed_origins: ["\(AuthCORSTests.origin)"]
                    max_age_s: 600
                """)
            server = try await LoreServe(["--config", config], database: store.database, unauthenticated: false)
        }
    }

    func preflight(_ server: LoreServe, origin: String) async throws -> HTTPExchange {
        try await server.request(
            "OPTIONS", "/v1/query",
            headers: [
                "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"
            ])
    }

    @Test("a preflight from a listed origin gets 204 with the allowed methods, headers and max age, without a key")
    func preflightListed() async throws {
        let s = try await CORSServe.shared.get()
        let r = try await preflight(s.server, origin: Self.origin)
        #expect(r.status == 204, "\(r.body)")
        #expect(r.headers["access-control-allow-origin"] == Self.origin)
        #expect(r.headers["access-control-allow-methods"]?.contains("POST") == true, "\(r.headers)")
        #expect(r.headers["access-control-allow-headers"]?.contains("Authorization") == true, "\(r.headers)")
        #expect(r.headers["access-control-max-age"] == "600")
    }

    @Test("a preflight from an origin not listed gets 403 origin_not_allowed and no CORS header")
    func preflightUnlisted() async throws {
        let s = try await CORSServe.shared.get()
        let r = try await preflight(s.server, origin: "https://evil.example")
        #expect(r.status == 403, "\(r.body)")
        #expect(r.error?.code == "origin_not_allowed")
        #expect(r.error?.message.contains("https://evil.example") == true)
        #expect(r.headers.keys.allSatisfy { !$0.hasPrefix("access-control-") }, "\(r.headers)")
    }

    @Test("simple requests from a listed origin carry Access-Control-Allow-Origin, errors included; other origins get none")
    func simpleRequests() async throws {
        let s = try await CORSServe.shared.get()
        let ok = try await s.server.post("/v1/query", Self.question, headers: s.key.bearer.merging(["Origin": Self.origin]) { $1 })
        #expect(ok.status == 200, "\(ok.body)")
        #expect(ok.headers["access-control-allow-origin"] == Self.origin)
        #expect(ok.headers["vary"]?.contains("Origin") == true)
        #expect(ok.headers["access-control-expose-headers"]?.contains("X-Request-ID") == true)
        let denied = try await s.server.post("/v1/query", Self.question, headers: ["Origin": Self.origin])
        #expect(denied.status == 401)
        #expect(denied.headers["access-control-allow-origin"] == Self.origin, "a browser must be able to read the 401")
        let other = try await s.server.post(
            "/v1/query", Self.question, headers: s.key.bearer.merging(["Origin": "https://evil.example"]) { $1 })
        #expect(other.status == 200)
        #expect(other.headers["access-control-allow-origin"] == nil)
    }

    @Test("without server.cors no response has CORS headers")
    func offByDefault() async throws {
        let server = try await LoreServe.shared.get()
        let r = try await server.post("/v1/retrieve", Self.question, headers: ["Origin": Self.origin])
        #expect(r.status == 200)
        #expect(r.headers.keys.allSatisfy { !$0.hasPrefix("access-control-") }, "\(r.headers)")
    }
}
