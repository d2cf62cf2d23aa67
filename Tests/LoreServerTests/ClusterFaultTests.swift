import Foundation
import LoreTestSupport
import Testing

/// Faults in a running cluster, under load: nginx (Debian's, docker/nginx/lore.conf) in
/// front of two `lore serve --published` replicas, started by scripts/cluster on loopback,
/// loaded by wrk (bench/cluster.lua) through nginx. Every step waits by polling with a
/// deadline (a replica's /metrics, its X-Lore-Index-Version), never by sleeping. Each case
/// prints one `CLUSTERJSON {...}` line (requests, failures, statuses, latency percentiles)
/// for docs/BENCHMARKS.md.
///
/// Needs nginx (apt: nginx-light) and wrk; the LLM case needs scripts/llm-server's venv.
@Suite("Cluster faults under load: a replica killed, an index swapped, the LLM stopped", .serialized)
struct ClusterFaultTests {
    /// Questions about corpus/ the extractive answerer answers (the load cycles them).
    static let questions = [
        "What does WAL mode let readers do?",
        "How do I turn on WAL mode?",
        "What is reciprocal rank fusion?",
        "How are documents split into chunks before embedding?",
        "What drives the water cycle?",
        "What does HNSW stand for?"
    ]
    static var queryBodies: [String] { questions.map { #"{"question": "\#($0)"}"# } }
    static let connections = 4

    static func printReport(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    @Test("kill -9 of a replica mid-load: at most its in-flight requests fail; restarted, it serves again")
    func replicaKilled() throws {
        let corpus = try ClusterCorpus.shared.get()
        let configDir = TemporaryDirectory("lore-cluster-config")
        let cluster = try Cluster(replicas: 2, published: corpus.published, config: Cluster.configuration(in: configDir))
        defer { cluster.stop() }
        let victimPort = cluster.replicaPort(1), victimPID = cluster.replicaPID(1)
        try #require(victimPort > 0 && victimPID > 0, "cluster.env: \(cluster.environment)")

        let load = try LoadRun(url: cluster.url + "/v1/query", bodies: Self.queryBodies, connections: Self.connections, maxSeconds: 90)
        // The load reaches the replica about to be killed.
        let reached = eventually(timeout: 60) { (cluster.queries(replica: 1) ?? 0) >= 10 }
        try #require(reached, "replica 1 got no load: \(cluster.logs)")

        #expect(kill(victimPID, SIGKILL) == 0)
        // The survivor takes the load: its counter moves on after the kill.
        let before = cluster.queries(replica: 2) ?? 0
        let survived = eventually(timeout: 30) { (cluster.queries(replica: 2) ?? 0) >= before + 20 }
        #expect(survived, "replica 2 did not go on answering after replica 1 was killed")
        #expect(cluster.queries(replica: 1) == nil, "the killed replica still answers")

        try cluster.command(["restart-replica", "1"])
        #expect(cluster.replicaPort(1) == victimPort)
        #expect(cluster.replicaPID(1) != victimPID)
        // nginx sends requests to the restarted replica again (its fail_timeout is 5 s):
        // the new process's own counter, which started at 0, grows.
        let back = eventually(timeout: 40) { (cluster.queries(replica: 1) ?? 0) >= 10 }
        let summary = try load.finish()
        Self.printReport(
            summary.report(
                "replica_killed",
                extra: [
                    "restarted_replica_queries": cluster.queries(replica: 1) ?? 0,
                    "retried_on_other_replica": summary.upstreams.filter { $0.key.contains(",") }.values.reduce(0, +)
                ]))
        #expect(back, "the restarted replica got no requests: \(cluster.logs)")
        // At most the requests in flight on the killed replica fail (nginx retries the
        // others on the survivor: connection refused or reset).
        #expect(summary.failures <= Self.connections, "\(summary.json)")
        #expect(summary.statuses["500"] == nil)
        #expect(summary.requests >= 50, "\(summary.json)")
        #expect(summary.upstreams.keys.contains { $0.contains(":\(victimPort)") })
    }

    @Test("a new index version published mid-load: no request fails, both replicas switch, the new document is found")
    func indexSwap() throws {
        let corpus = try ClusterCorpus.shared.get()
        let copy = try corpus.copy()
        let configDir = TemporaryDirectory("lore-cluster-config")
        let cluster = try Cluster(replicas: 2, published: copy.published, config: Cluster.configuration(in: configDir))
        defer { cluster.stop() }
        let old = try #require(cluster.version(replica: 1))
        #expect(cluster.version(replica: 2) == old)

        // A document only the new version has, and a question only it answers.
        let extra = TemporaryDirectory("lore-cluster-extra")
        extra.write(
            "notes/quokka-relay.txt",
            """
            The Quokka Relay Protocol

            Quokka relay nodes forward write-ahead log frames to standby replicas every 250 milliseconds. \
            A Quokka relay never forwards a frame twice: each frame carries a sequence number, and a standby \
            that sees a gap asks the relay for the missing frames.
            """)
        let probe = #"{"question": "How often do Quokka relay nodes forward write-ahead log frames?", "k": 3}"#
        func probeFindsNewDocument(_ r: HTTPExchange) -> Bool {
            let passages = (r.json?["passages"] as? [[String: Any]]) ?? []
            return passages.contains { ($0["source"] as? String)?.hasSuffix("quokka-relay.txt") == true }
        }
        let before = try cluster.request("POST", "/v1/retrieve", json: probe)
        #expect(before.status == 200, "\(before.body)")
        #expect(!probeFindsNewDocument(before), "the old version already has the new document")

        let load = try LoadRun(url: cluster.url + "/v1/query", bodies: Self.queryBodies, connections: Self.connections, maxSeconds: 90)
        let loaded = eventually(timeout: 60) { cluster.queries(replicas: 2) >= 20 }
        try #require(loaded, "no load reached the replicas: \(cluster.logs)")

        let publish = try runLore(["ingest", extra.path, "--db", copy.work, "--publish", copy.published, "--json"])
        #expect(publish.status == 0, "\(publish.stderr)")
        // Both replicas notice the new version (their watch, every 2 s) and switch.
        let switched = eventually(timeout: 30) {
            let v1 = cluster.version(replica: 1), v2 = cluster.version(replica: 2)
            return v1 != nil && v1 != old && v1 == v2
        }
        let new = cluster.version(replica: 1) ?? "?"
        // Load goes on over the new version for a while on both replicas.
        let counts = (cluster.queries(replica: 1) ?? 0, cluster.queries(replica: 2) ?? 0)
        let served = eventually(timeout: 30) {
            (cluster.queries(replica: 1) ?? 0) >= counts.0 + 10 && (cluster.queries(replica: 2) ?? 0) >= counts.1 + 10
        }
        let summary = try load.finish()
        Self.printReport(summary.report("index_swap", extra: ["old_version": old, "new_version": new, "versions": summary.versions]))

        #expect(
            switched,
            "the replicas did not both switch from \(old): \(cluster.version(replica: 1) ?? "-"), \(cluster.version(replica: 2) ?? "-")")
        #expect(served, "the load did not go on over the new version")
        #expect(summary.failures == 0, "\(summary.json)")
        #expect(summary.requests >= 50, "\(summary.json)")
        // The last answer from each replica came from the new version, and answers came from both versions.
        let perReplica = summary.lastVersion.filter { !$0.key.contains(",") }
        #expect(perReplica.count == 2 && perReplica.values.allSatisfy { $0 == new }, "\(perReplica)")
        #expect((summary.versions[old] ?? 0) > 0 && (summary.versions[new] ?? 0) > 0, "\(summary.versions)")

        let after = try cluster.request("POST", "/v1/retrieve", json: probe)
        #expect(after.status == 200, "\(after.body)")
        #expect(after.headers["x-lore-index-version"] == new)
        #expect(probeFindsNewDocument(after), "the new version's document is not retrieved: \(after.body)")
    }

    @Test("the LLM server stopped mid-load: 503 backend_unavailable (no hang, no 500); started again, answers come back")
    func llmBackendFault() throws {
        let corpus = try ClusterCorpus.shared.get()
        let configDir = TemporaryDirectory("lore-cluster-config")
        let cluster = try Cluster(replicas: 2, published: corpus.published, llm: true, config: Cluster.configuration(in: configDir))
        defer { cluster.stop() }
        // One passage (k 1) keeps the prompt short: the CPU model computes one request at a time.
        let bodies = Self.questions.prefix(3).map { #"{"question": "\#($0)", "backend": "llm", "k": 1}"# }
        let first = try cluster.request("POST", "/v1/query", json: bodies[0])
        #expect(first.status == 200, "\(first.body)")
        #expect(first.json?["backend"] as? String == "llm", "\(first.body)")

        let connections = 2
        let load = try LoadRun(url: cluster.url + "/v1/query", bodies: bodies, connections: connections, maxSeconds: 240, timeout: 120)
        let answered = eventually(timeout: 90) { cluster.queries(replicas: 2, status: 200) >= 3 }
        try #require(answered, "no LLM answers under load: \(cluster.logs)")

        let stopAt = Int(Date().timeIntervalSince1970)
        try cluster.command(["llm", "stop"])
        // The load goes on against the stopped server (503s counted after the stop returned).
        let refusedSoFar = cluster.queries(replicas: 2, status: 503)
        let unavailable = eventually(timeout: 60) { cluster.queries(replicas: 2, status: 503) >= refusedSoFar + 5 }
        #expect(unavailable, "no 503 after the LLM server stopped: \(cluster.logs)")
        let direct = try cluster.request("POST", "/v1/query", json: bodies[1])
        #expect(direct.status == 503, "\(direct.body)")
        #expect(direct.error?.code == "backend_unavailable", "\(direct.body)")

        let summary = try load.finish()
        let during = summary.statuses(from: stopAt)
        Self.printReport(
            summary.report(
                "llm_stopped",
                extra: [
                    "before_stop": summary.statuses(before: stopAt), "while_stopped": during
                ]))
        #expect((summary.codes["backend_unavailable"] ?? 0) >= 1, "\(summary.json)")
        #expect((summary.statuses(before: stopAt)["200"] ?? 0) >= 1, "\(summary.json)")
        // From the stop on, only 503s came back, apart from the requests in flight on the
        // server when it stopped (finished: 200; cut mid-generation: 502 backend_failed).
        #expect(Set(during.keys).isSubset(of: ["200", "502", "503"]), "\(during)")
        #expect((summary.statuses(from: stopAt)["502"] ?? 0) <= connections, "\(summary.json)")
        #expect((during["503"] ?? 0) >= 1, "\(during)")
        #expect(summary.statuses["500"] == nil && summary.statuses["504"] == nil, "\(summary.statuses)")
        #expect(summary.socketErrors == 0, "a request hung or lost its connection: \(summary.json)")

        // Started again (without load: scripts/llm-server's readiness probe, GET /v1/models,
        // waits behind the generations, one at a time, and gives up under load), the
        // answers come back under a new load.
        try cluster.command(["llm", "start"])
        let ok = cluster.queries(replicas: 2, status: 200)
        let again = try LoadRun(url: cluster.url + "/v1/query", bodies: bodies, connections: connections, maxSeconds: 120, timeout: 110)
        let recovered = eventually(timeout: 100) { cluster.queries(replicas: 2, status: 200) >= ok + 3 }
        let after = try again.finish()
        Self.printReport(after.report("llm_restarted"))
        #expect(recovered, "no LLM answers after the server started again: \(cluster.logs)")
        #expect((after.statuses["200"] ?? 0) >= 1, "\(after.json)")
        #expect(after.statuses.keys.allSatisfy { $0 == "200" }, "\(after.json)")
        #expect(after.socketErrors == 0, "\(after.json)")
    }
}
