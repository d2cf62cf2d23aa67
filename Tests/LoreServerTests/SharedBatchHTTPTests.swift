import Foundation
import LoreTestSupport
import Testing

/// Requests in flight share the encoder's batches (`batching:`): a client that goes away
/// while its question waits in a shared batch must not fail the requests it shares the
/// batch with. (The batcher's own rules are specified in LoreRetrievalTests'
/// `SharedBatchesTests`; here real clients disconnect from a real server.)
@Suite("lore serve: shared batches and clients that go away")
struct SharedBatchHTTPTests {
    @Test("clients that disconnect while their questions wait in a shared batch fail none of the others; the server answers after")
    func disconnectMidBatch() async throws {
        let dir = TemporaryDirectory("lore-batch-http")
        // One batch at a time, held up to 400 ms for company while not full: the questions
        // below are in flight together, and the clients that give up at 100 ms go away while
        // theirs still wait in the held batch.
        let config = dir.write("lore.yaml", "batching:\n  max_texts: 64\n  max_wait_ms: 400\n  concurrent: 1\n")
        let server = try await LoreServe(["--config", config])
        let subjects = ["checkpoints", "readers", "writers", "the wal-index", "page size", "fsync", "locks", "recovery"]
        let outcomes = try await withThrowingTaskGroup(of: (leaves: Bool, exchange: HTTPExchange?).self) { group in
            for (i, subject) in (subjects + subjects.map { $0 + " in WAL mode" }).enumerated() {
                let leaves = i % 4 == 0
                let body = #"{"question": "What does the write-ahead log do about \#(subject)?"}"#
                group.addTask {
                    if leaves {
                        // curl gives up after 100 ms and closes the connection (exit 28, no status).
                        let r = try? await server.request("POST", "/v1/query", json: body, arguments: ["--max-time", "0.1"])
                        return (true, r)
                    }
                    return (false, try await server.post("/v1/query", body))
                }
            }
            var all: [(leaves: Bool, exchange: HTTPExchange?)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let stayed = outcomes.filter { !$0.leaves }.compactMap(\.exchange)
        #expect(stayed.count == 12)
        for r in stayed {
            #expect(r.status == 200, "\(r.body)")
            #expect((r.json?["answer"] as? String)?.isEmpty == false, "\(r.body)")
        }
        // At least one client really left before its answer (the batch was held for it).
        #expect(outcomes.contains { $0.leaves && $0.exchange == nil }, "every leaving client got an answer within 100 ms")
        let after = try await server.post("/v1/query", #"{"question": "How do readers and writers share a WAL database?"}"#)
        #expect(after.status == 200, "\(after.body)")
    }
}
