import Foundation
import LoreTestSupport
import Testing

/// Scopes and collection restrictions hold on every route, not only on `/v1/query`: a key
/// restricted to collection `fixtures` never sees a document of `default` through the
/// OpenAI-compatible routes or the document routes, and a `query` key cannot write.
@Suite("lore serve: API keys on every route", .serialized)
struct AuthEveryRouteTests {
    static let chat = #"{"model": "lore-default", "messages": [{"role": "user", "content": "What does WAL mode let readers do?"}]}"#

    @Test(
        "a fixtures-only key: 403 on default through chat completions, embeddings and documents; 200 on fixtures, whose documents are its own"
    )
    func collectionIsolation() async throws {
        let keyed = try await KeyedServe.shared.get()
        let key = keyed.fixturesOnly.bearer, server = keyed.server
        let forbidden: [(String, String, String?)] = [
            ("POST", "/v1/chat/completions", Self.chat),
            ("POST", "/v1/chat/completions", Self.chat.replacingOccurrences(of: "}]}", with: #"}], "lore": {"collection": "default"}}"#)),
            ("POST", "/v1/embeddings", #"{"model": "lore-embed", "input": "wal"}"#),
            ("GET", "/v1/documents", nil),
            ("GET", "/v1/documents?collection=default", nil)
        ]
        for (method, path, body) in forbidden {
            let r = try await server.request(method, path, json: body, headers: key)
            #expect(r.status == 403, "\(method) \(path): \(r.body)")
            #expect(r.error?.code == "forbidden" && r.error?.message.contains("default") == true, "\(r.body)")
        }

        let chat = try await server.post(
            "/v1/chat/completions", Self.chat.replacingOccurrences(of: "}]}", with: #"}], "lore": {"collection": "fixtures"}}"#),
            headers: key)
        #expect(chat.status == 200, "\(chat.body)")
        for citation in ((chat.json?["lore"] as? [String: Any])?["citations"] as? [[String: Any]]) ?? [] {
            #expect((citation["source"] as? String)?.contains("/Fixtures/ingest/good/") == true, "\(citation)")
        }
        let embed = try await server.post(
            "/v1/embeddings", #"{"model": "lore-embed", "input": "wal", "lore": {"collection": "fixtures"}}"#, headers: key)
        #expect(embed.status == 200, "\(embed.body)")
        let models = try await server.get("/v1/models", headers: key)
        #expect(models.status == 200, "\(models.body)")

        let list = try await server.get("/v1/documents?collection=fixtures&limit=100", headers: key)
        #expect(list.status == 200, "\(list.body)")
        let own = try #require(list.json?["documents"] as? [[String: Any]])
        #expect(!own.isEmpty)
        #expect(own.allSatisfy { ($0["source"] as? String)?.contains("/Fixtures/ingest/good/") == true }, "\(own)")

        // A document of default, by id: 403 through default, 404 through fixtures (ids do not leak).
        let all = try await server.get("/v1/documents?limit=1", headers: keyed.reader.bearer)
        let foreign = try #require((all.json?["documents"] as? [[String: Any]])?.first?["id"] as? Int, "\(all.body)")
        let direct = try await server.get("/v1/documents/\(foreign)", headers: key)
        #expect(direct.status == 403, "\(direct.body)")
        let through = try await server.get("/v1/documents/\(foreign)?collection=fixtures", headers: key)
        #expect(through.status == 404 && through.error?.code == "document_not_found", "\(through.body)")
        let delete = try await server.request("DELETE", "/v1/documents/\(foreign)?collection=fixtures", headers: key)
        #expect(delete.status == 403 || delete.status == 404, "\(delete.body)")
        #expect(
            try await server.get("/v1/documents/\(foreign)", headers: keyed.reader.bearer).status == 200, "the default document is intact")
    }

    @Test("a query-only key cannot add or delete documents (403 naming the ingest scope); an ingest-only key cannot ask")
    func writeScopes() async throws {
        let keyed = try await KeyedServe.shared.get()
        let server = keyed.server
        let upload =
            ##"{"documents": [{"name": "notes/scope.md", "text": "# Scopes\n\nA query key must not be able to add this document to the store."}]}"##
        let add = try await server.post("/v1/documents", upload, headers: keyed.reader.bearer)
        #expect(add.status == 403 && add.error?.message.contains("ingest") == true, "\(add.body)")
        let all = try await server.get("/v1/documents?limit=1", headers: keyed.reader.bearer)
        let id = try #require((all.json?["documents"] as? [[String: Any]])?.first?["id"] as? Int, "\(all.body)")
        let delete = try await server.request("DELETE", "/v1/documents/\(id)", headers: keyed.reader.bearer)
        #expect(delete.status == 403 && delete.error?.message.contains("ingest") == true, "\(delete.body)")
        #expect(try await server.get("/v1/documents/\(id)", headers: keyed.reader.bearer).status == 200)

        for (path, body) in [("/v1/chat/completions", Self.chat), ("/v1/embeddings", #"{"model": "lore-embed", "input": "wal"}"#)] {
            let r = try await server.post(path, body, headers: keyed.ingester.bearer)
            #expect(r.status == 403 && r.error?.message.contains("query") == true, "\(path): \(r.body)")
        }
        #expect(try await server.get("/v1/documents", headers: keyed.ingester.bearer).status == 403)
    }
}
