import Foundation
import Hummingbird
import HummingbirdTesting
import LoreApp
import LoreServer
import LoreTestSupport
import Testing
import Yams

/// The API surface has one source, the router: `openapi.yaml` and `docs/API.md` must list
/// exactly the routes it serves, and the 405 answers come from its own route list.
@Suite("API surface")
struct APISurfaceTests {
    /// `METHOD /path` for every route of the router, the replica's reload route and the
    /// request log's feedback route included.
    func routerRoutes() async throws -> Set<String> {
        let c = try await AppFixture.shared.composition()
        defer { c.close() }
        // A replica also serves POST /admin/reload: the same router with a reload hook.
        let router = LoreServer.router(
            collections: c.collections, options: c.options, readiness: [], metrics: { "" },
            documents: c.documents, reload: { ReloadReport(previous: nil, version: "v", changed: false, seconds: 0) },
            feedback: try #require(c.feedbackCatalog, "the request log is on by default"))
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
    }

    func openAPIRoutes() throws -> Set<String> {
        let text = try String(contentsOfFile: TestPaths.repositoryRoot + "/Sources/LoreServer/openapi.yaml", encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: Any])
        let verbs = ["get", "post", "put", "patch", "delete", "head", "options"]
        return Set(
            paths.flatMap { path, item in
                ((item as? [String: Any]) ?? [:]).keys.filter { verbs.contains($0) }.map { "\($0.uppercased()) \(path)" }
            })
    }

    /// The rows `| \`METHOD\` | \`/path\` | ...` of docs/API.md.
    func documentedRoutes() throws -> Set<String> {
        let text = try String(contentsOfFile: TestPaths.repositoryRoot + "/docs/API.md", encoding: .utf8)
        let row = /^\|\s*`([A-Z]+)`\s*\|\s*`(\/[^`]*)`\s*\|/
        return Set(
            text.split(separator: "\n").compactMap { line in
                (try? row.firstMatch(in: String(line))).flatMap { $0 }.map { "\($0.1) \($0.2)" }
            })
    }

    @Test("every route the router serves is in openapi.yaml, and every path of openapi.yaml is served")
    func openAPIMatchesRouter() async throws {
        let served = try await routerRoutes(), specified = try openAPIRoutes()
        #expect(served.count >= 15)
        #expect(served.subtracting(specified).sorted() == [], "served but not in openapi.yaml")
        #expect(specified.subtracting(served).sorted() == [], "in openapi.yaml but not served")
    }

    @Test("docs/API.md's route table lists exactly the routes the router serves")
    func docsMatchRouter() async throws {
        let served = try await routerRoutes(), documented = try documentedRoutes()
        #expect(served.subtracting(documented).sorted() == [], "served but not in docs/API.md")
        #expect(documented.subtracting(served).sorted() == [], "in docs/API.md but not served")
    }

    @Test("a served path with another method is a 405 whose Allow lists the router's methods; an unknown path is a 404")
    func methodNotAllowed() async throws {
        let app = Application(router: try await AppFixture.shared.composition().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/documents/abc", method: .put) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == "GET, DELETE")
                #expect(String(buffer: r.body).contains("method_not_allowed"))
            }
            try await client.execute(uri: "/v1/query", method: .get) { r in
                #expect(r.status == .methodNotAllowed && r.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/admin/reload", method: .post) { r in
                #expect(r.status == .notFound, "a server of the store has no reload route")
            }
            try await client.execute(uri: "/v1/nothing-here", method: .get) { r in
                #expect(r.status == .notFound && String(buffer: r.body).contains("no route for GET /v1/nothing-here"))
            }
        }
    }

    @Test("in process: /healthz answers, /openapi.yaml serves the spec, and a query is answered with citations")
    func inProcessQuery() async throws {
        let app = Application(router: try await AppFixture.shared.composition().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/openapi.yaml", method: .get) { r in
                #expect(r.status == .ok && String(buffer: r.body).hasPrefix("openapi:"))
            }
            try await client.execute(
                uri: "/v1/query", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"question": "How do I turn on WAL mode?"}"#)
            ) { r in
                #expect(r.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                let citations = json?["citations"] as? [[String: Any]] ?? []
                #expect(!citations.isEmpty && (json?["answer"] as? String)?.contains("[1]") == true, "\(json ?? [:])")
            }
            try await client.execute(
                uri: "/v1/query", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"question": 7}"#)
            ) { r in
                #expect(r.status == .badRequest && String(buffer: r.body).contains("question"))
            }
        }
    }
}
