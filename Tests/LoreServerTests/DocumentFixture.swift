import Foundation
import LoreTestSupport
import Testing

/// A store of its own for a document test (never the shared `ServeCorpus`, which other
/// suites query): two fixture files ingested by `lore ingest` into `default`, one into
/// `other`, and a Lore server (in process) over it.
final class DocumentStore: @unchecked Sendable {
    let directory = TemporaryDirectory("lore-docs")
    let database: String
    let server: any HTTPTestServer

    /// - Parameters:
    ///   - config: a `lore.yaml` to serve with (nil: the defaults).
    init(config: String? = nil) async throws {
        database = directory.path + "/docs.db"
        let first = try await runLore([
            "ingest", TestPaths.ingestFixtures + "/good/guide.md", TestPaths.ingestFixtures + "/good/plain.txt",
            "--db", database, "--json"
        ])
        precondition(first.status == 0, "ingest failed: \(first.stderr)")
        let second = try await runLore([
            "ingest", TestPaths.ingestFixtures + "/good/setext.md", "--db", database, "--collection", "other", "--json"
        ])
        precondition(second.status == 0, "ingest of the second collection failed: \(second.stderr)")
        var extra: [String] = []
        if let config { extra = ["--config", directory.write("lore.yaml", config)] }
        server = try await LoreServe(extra, database: database)
    }

    /// `lore stats --json` counts per collection: (documents, chunks).
    func counts() async throws -> [String: (documents: Int, chunks: Int)] {
        let r = try await runLore(["stats", "--db", database, "--json"])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        var out: [String: (Int, Int)] = [:]
        for c in o["collections"] as? [[String: Any]] ?? [] {
            out[c["name"] as! String] = (c["documents"] as! Int, c["chunks"] as! Int)
        }
        return out
    }

    /// `POST /v1/documents` with a JSON body.
    func upload(_ json: String) async throws -> HTTPExchange { try await server.post("/v1/documents", json) }

    /// `POST /v1/documents` as `curl -F` sends it: `fields` are `name=value` or `file=@path;filename=...`.
    func uploadForm(_ fields: [String]) async throws -> HTTPExchange {
        try await server.request("POST", "/v1/documents", arguments: fields.flatMap { ["-F", $0] })
    }

    /// The sources `/v1/retrieve` returns for `question` in `mode`.
    func retrievedSources(_ question: String, mode: String, collection: String = "default") async throws -> [String] {
        let r = try await server.post(
            "/v1/retrieve", #"{"question": "\#(question)", "mode": "\#(mode)", "k": 5, "collection": "\#(collection)"}"#)
        #expect(r.status == 200, "\(r.body)")
        return (r.json?["passages"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
    }

    /// Every document id of a collection, through the listing.
    func ids(collection: String = "default") async throws -> [Int] {
        let r = try await server.get("/v1/documents?collection=\(collection)&limit=100")
        #expect(r.status == 200, "\(r.body)")
        return (r.json?["documents"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }
}

extension HTTPExchange {
    /// The first upload's documents of a `POST /v1/documents` response.
    var uploads: [[String: Any]] { json?["uploads"] as? [[String: Any]] ?? [] }
    var firstDocumentID: Int? { (uploads.first?["documents"] as? [[String: Any]])?.first?["id"] as? Int }
}
