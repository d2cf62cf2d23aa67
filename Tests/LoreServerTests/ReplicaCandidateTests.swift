import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// A replica's shadow candidate and canary naming another published index version: the
/// candidate's answers come from that version, are logged under it, and are compared with
/// the current version's.
@Suite("A replica's candidates on another published version", .serialized)
struct ReplicaCandidateTests {
    /// Whether an answer cites the marker document of version 2.
    static func citesMarker(_ exchange: HTTPExchange) -> Bool {
        let citations = exchange.json?["citations"] as? [[String: Any]] ?? []
        return citations.contains { ($0["source"] as? String)?.hasSuffix("marker-1.md") == true }
    }

    @Test(
        "a canary and a shadow candidate of the previous version: canary-arm answers come from it and are logged under it, the primary's from the current version; every primary answer is compared with the old version's"
    )
    func candidatesOnAnotherVersion() throws {
        let corpus = try PublishedCorpus()  // v000001: corpus/
        try corpus.publishMarker(1)  // v000002 (current): corpus/ and marker 1
        let log = corpus.directory.path + "/log.db"
        let config = corpus.directory.write(
            "lore.yaml",
            """
            request_log: {database: "\(log)"}
            shadow: {index_version: v000001, sample: 1}
            canary: {index_version: v000001, share: 0.5, min_requests: 1000, rollback_min_requests: 1000}
            """)
        let server = try LoreServeProcess(["--published", corpus.index, "--config", config], database: corpus.work)
        var answers: [String: HTTPExchange] = [:]
        for i in 0..<12 {
            let r = try server.post(
                "/v1/query", #"{"question": "What is zorblax marker 1?", "user": "user-\#(i)"}"#, headers: ["X-Request-ID": "cand-\(i)"])
            #expect(r.status == 200, "\(r.body)")
            answers["cand-\(i)"] = r
        }
        // SIGTERM: the shadow queue is drained and the request log written before the exit
        // (the grace is long: on a loaded machine the old version's answers take a while).
        #expect(server.process.stop(grace: 120), "lore serve exits on SIGTERM by itself, its shadow queue drained")

        let db = try Store(path: log)
        var arms: [String: String] = [:]
        for (id, answer) in answers {
            let record = try #require(try db.requestRecord(id: id), "\(id) is logged")
            arms[id] = record.variant
            switch record.variant {
            case "canary":
                #expect(record.indexVersion == "v000001", "\(id): \(String(describing: record.indexVersion))")
                #expect(!Self.citesMarker(answer), "the old version has no marker: \(answer.body)")
            case "primary":
                #expect(record.indexVersion == "v000002", "\(id): \(String(describing: record.indexVersion))")
                #expect(Self.citesMarker(answer), "the current version has the marker: \(answer.body)")
            default:
                Issue.record("\(id): arm \(String(describing: record.variant))")
            }
        }
        let primaries = arms.values.filter { $0 == "primary" }.count
        #expect(primaries > 0 && primaries < answers.count, "both arms served: \(arms)")
        // Each primary answer was answered again by the old version and compared; the
        // marker passage is missing from every candidate's top k.
        let pairs = try db.shadowPairs(candidate: "index=v000001")
        #expect(pairs.count == primaries, "\(pairs.count) pairs for \(primaries) primary answers")
        #expect(pairs.allSatisfy { arms[$0.requestID] == "primary" && $0.overlapAtK < 1 }, "\(pairs.map { ($0.requestID, $0.overlapAtK) })")
    }

    @Test("an index version as a candidate is refused off a replica, and on a replica when it is not published, naming the key")
    func badVersions() async throws {
        let corpus = try PublishedCorpus()
        let log = corpus.directory.path + "/log.db"
        let offReplica = corpus.directory.write("a.yaml", "shadow: {index_version: v000001}\n")
        let r = try await runLore(["serve", "--db", corpus.work, "--config", offReplica, "--port", "0", "--unauthenticated"])
        #expect(r.status != 0 && r.stderr.contains("shadow.index_version"), "\(r.stderr)")
        let missing = corpus.directory.write("b.yaml", "request_log: {database: \"\(log)\"}\ncanary: {index_version: v000099}\n")
        let m = try await runLore([
            "serve", "--db", corpus.work, "--published", corpus.index, "--config", missing, "--port", "0", "--unauthenticated"
        ])
        #expect(m.status != 0 && m.stderr.contains("canary.index_version v000099"), "\(m.stderr)")
    }
}
