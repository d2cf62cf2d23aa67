import Foundation
import LoreTestSupport
import Testing

/// API keys against a Lore server (in process) that needs keys, over a store
/// whose keys `lore keys create` made: 401s with their codes, 403 for a missing scope or a
/// collection the key may not use, revocation by another process, the open operational
/// routes, metrics and the log line.
@Suite("lore serve: API keys")
struct AuthTests {
    static let question = #"{"question": "What does WAL mode let readers do?"}"#

    @Test("without a key every API route answers 401 unauthorized with WWW-Authenticate: Bearer; healthz, readyz and metrics stay open")
    func missingKey() async throws {
        let keyed = try await KeyedServe.shared.get()
        for (method, path) in [("POST", "/v1/query"), ("POST", "/v1/retrieve"), ("GET", "/v1/nothing-here")] {
            let r = try await keyed.server.request(method, path, json: method == "POST" ? Self.question : nil)
            #expect(r.status == 401, "\(path): \(r.body)")
            #expect(r.error?.code == "unauthorized", "\(r.body)")
            #expect(r.error?.message.contains("Authorization: Bearer") == true, "\(r.body)")
            #expect(r.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(r.headers)")
            #expect(r.headers["x-request-id"] != nil)
        }
        #expect(try await keyed.server.get("/healthz").status == 200)
        #expect(try await keyed.server.get("/readyz").status == 200)
        #expect(try await keyed.server.get("/metrics").status == 200)
    }

    @Test("a malformed, unknown or wrongly-secret key answers 401 invalid_api_key, never echoing the secret")
    func invalidKeys() async throws {
        let keyed = try await KeyedServe.shared.get()
        let secret = String(repeating: "ab", count: 32)
        let wrongSecret = "lore_\(keyed.reader.id)_\(secret)"
        for value in [
            "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer", "Bearer lore_0123456789abcdef_\(secret)", "Bearer \(wrongSecret)",
            "Bearer \(keyed.reader.text)x"
        ] {
            let r = try await keyed.server.post("/v1/query", Self.question, headers: ["Authorization": value])
            #expect(r.status == 401, "\(value): \(r.body)")
            #expect(r.error?.code == "invalid_api_key", "\(value): \(r.body)")
            #expect(r.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            #expect(!r.body.contains(secret), "\(r.body)")
        }
        #expect(try await keyed.server.post("/v1/query", Self.question, headers: keyed.reader.bearer).status == 200)
    }

    @Test("a key made by lore keys create answers 200 on query and retrieve; the log line has its id and never its secret")
    func validKey() async throws {
        let keyed = try await KeyedServe.shared.get()
        let q = try await keyed.server.post(
            "/v1/query", Self.question, headers: keyed.reader.bearer.merging(["X-Request-ID": "auth-log-1"]) { $1 })
        #expect(q.status == 200 && (q.json?["answer"] as? String)?.isEmpty == false, "\(q.body)")
        let r = try await keyed.server.post("/v1/retrieve", Self.question, headers: keyed.reader.bearer)
        #expect(r.status == 200 && (r.json?["passages"] as? [Any])?.isEmpty == false, "\(r.body)")
        let secret = String(keyed.reader.text.split(separator: "_")[2])
        var line: [String: Any]?
        #expect(
            eventually {
                line = keyed.logLines().first { $0["message"] as? String == "request" && $0["request_id"] as? String == "auth-log-1" }
                return line != nil
            }, "no request line for auth-log-1 in \(keyed.log)")
        #expect(line?["key_id"] as? String == keyed.reader.id, "\(line ?? [:])")
        let log = (try? String(contentsOfFile: keyed.log, encoding: .utf8)) ?? ""
        #expect(!log.contains(secret))
    }

    @Test("an ingest-only key gets 403 forbidden on the query-scoped routes, naming the scope")
    func missingScope() async throws {
        let keyed = try await KeyedServe.shared.get()
        for path in ["/v1/query", "/v1/retrieve"] {
            let r = try await keyed.server.post(path, Self.question, headers: keyed.ingester.bearer)
            #expect(r.status == 403, "\(path): \(r.body)")
            #expect(r.error?.code == "forbidden")
            #expect(r.error?.message.contains("query") == true, "\(r.body)")
        }
    }

    @Test("a key restricted to collection fixtures gets 403 on default (named or not) and 200 on fixtures, on query and retrieve")
    func collectionRestriction() async throws {
        let keyed = try await KeyedServe.shared.get()
        let key = keyed.fixturesOnly.bearer
        for path in ["/v1/query", "/v1/retrieve"] {
            for body in [Self.question, #"{"question": "What does WAL mode let readers do?", "collection": "default"}"#] {
                let r = try await keyed.server.post(path, body, headers: key)
                #expect(r.status == 403, "\(path) \(body): \(r.body)")
                #expect(r.error?.code == "forbidden")
                #expect(r.error?.message.contains("default") == true, "\(r.body)")
            }
            let ok = try await keyed.server.post(
                path, #"{"question": "What is in these documents?", "collection": "fixtures"}"#, headers: key)
            #expect(ok.status == 200, "\(path): \(ok.body)")
            // The unrestricted key reads the default collection.
            #expect(try await keyed.server.post(path, Self.question, headers: keyed.reader.bearer).status == 200)
        }
    }

    @Test("lore keys revoke in another process takes effect on the server's next request: 401 revoked_api_key")
    func revokeWhileServing() async throws {
        let store = try await KeyedStore()
        let key = try await store.create("short-lived", scope: "query")
        let other = try await store.create("stays", scope: "query")
        let server = try await LoreServe(database: store.database, unauthenticated: false)
        #expect(try await server.post("/v1/retrieve", Self.question, headers: key.bearer).status == 200)
        let revoked = try await store.revoke(key)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let r = try await server.post("/v1/retrieve", Self.question, headers: key.bearer)
        #expect(r.status == 401, "\(r.body)")
        #expect(r.error?.code == "revoked_api_key")
        #expect(r.error?.message.contains(key.id) == true, "\(r.body)")
        // Everything else is intact.
        #expect(try await server.post("/v1/retrieve", Self.question, headers: other.bearer).status == 200)
        #expect(try await server.get("/readyz").status == 200)
        let list = try await runLore(["keys", "list", "--db", store.database])
        #expect(list.stdout.contains("REVOKED"), "\(list.stdout)")
    }

    @Test("auth failures are counted by reason in /metrics")
    func failureMetrics() async throws {
        let keyed = try await KeyedServe.shared.get()
        _ = try await keyed.server.post("/v1/query", Self.question)
        _ = try await keyed.server.post("/v1/query", Self.question, headers: ["Authorization": "Bearer nonsense"])
        _ = try await keyed.server.post("/v1/query", Self.question, headers: keyed.ingester.bearer)
        let m = try await keyed.server.get("/metrics").body
        for reason in ["missing_key", "invalid_api_key", "forbidden"] {
            #expect(m.contains(#"lore_auth_failures_total{reason="\#(reason)"}"#), "\(reason) not in metrics")
        }
    }

    @Test("on an --unauthenticated server a request without a key is served, and a key that is sent is still checked")
    func unauthenticatedLocal() async throws {
        let server = try await LoreServe.shared.get()
        #expect(try await server.post("/v1/retrieve", Self.question).status == 200)
        let r = try await server.post(
            "/v1/retrieve", Self.question, headers: ["Authorization": "Bearer lore_0123456789abcdef_" + String(repeating: "0", count: 64)])
        #expect(r.status == 401 && r.error?.code == "invalid_api_key", "\(r.body)")
    }

    @Test("without --unauthenticated a server may listen beyond loopback, and then needs keys")
    func keyedBeyondLoopback() async throws {
        let store = try await KeyedStore()
        let key = try await store.create("remote", scope: "query")
        let server = try await LoreServe(["--host", "0.0.0.0"], database: store.database, unauthenticated: false)
        let port = try #require(server.url.split(separator: ":").last)
        let local = try LoreServeURL("http://127.0.0.1:\(port)", server)
        #expect(try await local.post("/v1/retrieve", Self.question).status == 401)
        #expect(try await local.post("/v1/retrieve", Self.question, headers: key.bearer).status == 200)
    }

    @Test("server.auth and server.cors are validated, naming the key")
    func configurationErrors() async throws {
        let dir = TemporaryDirectory("lore-auth-config")
        for (yaml, mentions) in [
            ("server:\n  auth: maybe\n", "server.auth"),
            ("server:\n  cors:\n    allowed_origins: [\"https://a.example/path\"]\n", "server.cors.allowed_origins[0]"),
            ("server:\n  rate_limit:\n    requests_per_second: -1\n", "server.rate_limit.requests_per_second")
        ] {
            let file = dir.write("lore.yaml", yaml)
            let r = try await runLore(["serve", "--config", file, "--db", (try await ServeCorpus.database()), "--port", "0"])
            #expect(r.status != 0)
            #expect(r.stderr.contains(mentions), "\(r.stderr)")
        }
    }
}

/// Requests to a server at another URL than its ready line's (a server listening on 0.0.0.0).
struct LoreServeURL {
    let url: String
    let server: LoreServe

    init(_ url: String, _ server: LoreServe) throws {
        self.url = url
        self.server = server
    }

    func post(_ path: String, _ json: String, headers: [String: String] = [:]) async throws -> HTTPExchange {
        var args = [
            "-s", "-S", "-o", "/dev/stdout", "-w", "\n%{http_code}", "--max-time", "60", "-X", "POST",
            "-H", "Content-Type: application/json", "--data-binary", json
        ]
        for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
        let r = try await runProcess("/usr/bin/curl", args + [url + path])
        guard r.status == 0, let newline = r.stdout.lastIndex(of: "\n"), let status = Int(r.stdout[r.stdout.index(after: newline)...])
        else {
            throw CurlFailure(description: "curl POST \(url)\(path) failed: \(r.stderr)")
        }
        return HTTPExchange(status: status, headers: [:], body: String(r.stdout[..<newline]))
    }
}
