import Foundation
import LoreOps
import LoreStore
import LoreTestSupport
import Testing

/// Canary rollouts: the decision rules on counts, then in process over HTTP, a healthy
/// candidate promoted and a real LLM server stopped partway through rolled back, while the
/// primary answers every request; the decisions read back through metrics, the request log
/// and the real `lore canary status`.
@Suite("canary rollouts")
struct CanaryTests {
    static let questions = [
        "What does WAL mode let readers do?", "How are chunks split by headings?", "How does reciprocal rank fusion work?"
    ]

    static func settings(_ configure: (inout CanaryController.Settings) -> Void = { _ in }) -> CanaryController.Settings {
        var s = CanaryController.Settings(candidate: ShadowCandidate(backend: "llm"))
        s.minRequests = 50
        s.rollbackMinRequests = 10
        s.cooldown = 60
        configure(&s)
        return s
    }

    static func arm(requests: Int, failures: Int = 0, refusals: Int = 0, latency: Double = 100) -> CanaryController.ArmStats {
        var a = CanaryController.ArmStats()
        a.requests = requests
        a.failures = failures
        a.refusals = refusals
        for _ in 0..<(requests - failures) { a.latencies.append(latency) }
        return a
    }

    static func decide(
        primary: CanaryController.ArmStats, canary: CanaryController.ArmStats, elapsed: Double = 3600,
        _ configure: (inout CanaryController.Settings) -> Void = { _ in }
    ) -> (CanaryController.State, String)? {
        var stats = CanaryController.Stats()
        stats.primary = primary
        stats.canary = canary
        return CanaryController.decide(stats, settings: settings(configure), z: CanaryController.normalQuantile(0.95), elapsed: elapsed)
    }

    @Test(
        "the rules: a clearly worse candidate is rolled back once it has enough requests, a healthy one promoted only after its minimum and the cool-down"
    )
    func rules() {
        #expect(abs(CanaryController.normalQuantile(0.95) - 1.645) < 0.002)
        #expect(abs(CanaryController.normalQuantile(0.99) - 2.326) < 0.002)
        // Half the candidate's requests fail, none of the primary's: rolled back, naming the error rate.
        let bad = Self.decide(primary: Self.arm(requests: 40), canary: Self.arm(requests: 10, failures: 5))
        #expect(bad?.0 == .rolledBack && bad?.1.contains("error rate 0.500 (5/10)") == true, "\(String(describing: bad))")
        // The same share, below the rollback minimum: no decision yet.
        #expect(Self.decide(primary: Self.arm(requests: 40), canary: Self.arm(requests: 8, failures: 4)) == nil)
        // One failure in ten is within noise of a 2-point threshold: not sure enough to roll back.
        #expect(Self.decide(primary: Self.arm(requests: 40), canary: Self.arm(requests: 10, failures: 1)) == nil)
        // Slow: p95 three times the primary's, over the 1.5 allowed.
        let slow = Self.decide(primary: Self.arm(requests: 40, latency: 100), canary: Self.arm(requests: 20, latency: 300))
        #expect(slow?.0 == .rolledBack && slow?.1.contains("p95 latency 300 ms") == true, "\(String(describing: slow))")
        // Healthy: promoted after the minimum and the cool-down, not before either.
        #expect(Self.decide(primary: Self.arm(requests: 200), canary: Self.arm(requests: 50))?.0 == .promoted)
        #expect(Self.decide(primary: Self.arm(requests: 200), canary: Self.arm(requests: 49)) == nil)
        #expect(Self.decide(primary: Self.arm(requests: 200), canary: Self.arm(requests: 50), elapsed: 59) == nil)
        // Refusing 20 points more than the primary is over the 10 allowed: not promoted, though 50 requests
        // cannot yet tell it from 10 points more; refusing 40 points more is sure, and rolled back.
        #expect(Self.decide(primary: Self.arm(requests: 200, refusals: 20), canary: Self.arm(requests: 50, refusals: 15)) == nil)
        let refusing = Self.decide(primary: Self.arm(requests: 200, refusals: 20), canary: Self.arm(requests: 50, refusals: 25))
        #expect(refusing?.0 == .rolledBack && refusing?.1.contains("refusal rate") == true, "\(String(describing: refusing))")
    }

    @Test("a healthy candidate is promoted after its minimum; routing is sticky per user; then every request runs it")
    func healthyCandidateIsPromoted() async throws {
        let store = try await KeyedStore()
        let yaml = """
            canary:
              retrieval: {k: 3}
              share: 0.5
              min_requests: 6
              rollback_min_requests: 6
              cooldown_s: 0
              thresholds: {p95_latency_ratio: 0}
            """
        let server = try await LoreServe(["--config", store.directory.write("lore.yaml", yaml)], database: store.database)
        let canary = try #require(server.composition.canary)
        var ids: [(user: String, id: String)] = []
        var n = 0
        while canary.state == .running && n < 120 {
            let user = "user-\(n / 3)", id = "healthy-\(n)"
            let r = try await server.post(
                "/v1/query", #"{"question": "\#(Self.questions[n % 3])", "user": "\#(user)"}"#, headers: ["X-Request-ID": id])
            #expect(r.status == 200, "\(r.body)")
            ids.append((user, id))
            n += 1
        }
        #expect(canary.state == .promoted, "after \(n) requests: \(canary.stats)")
        #expect(canary.stats.canary.requests >= 6)
        // After the promotion, every request runs the candidate.
        for i in 0..<4 {
            let r = try await server.post(
                "/v1/query", #"{"question": "\#(Self.questions[i % 3])", "user": "late-\#(i)"}"#, headers: ["X-Request-ID": "after-\(i)"])
            #expect(r.status == 200 && (r.json?["citations"] as? [Any])?.count ?? 99 <= 3, "\(r.body)")
        }
        let log = try #require(server.composition.requestLog)
        await log.flush()
        let db = try Store(path: store.database)
        var armOf: [String: String] = [:]
        for (user, id) in ids {
            let variant = try #require(try db.requestRecord(id: id)?.variant, "\(id) not logged with an arm")
            // Sticky: one user, one arm (every request here came before the decision or was the last).
            if let earlier = armOf[user] { #expect(earlier == variant, "\(user): \(earlier) then \(variant)") }
            armOf[user] = variant
        }
        #expect(Set(armOf.values) == ["primary", "canary"], "both arms served: \(armOf)")
        for i in 0..<4 { #expect(try db.requestRecord(id: "after-\(i)")?.variant == "canary") }
        let metrics = try await server.get("/metrics").body
        #expect(metrics.contains(#"lore_canary_decisions_total{decision="promoted"} 1"#), "\(metrics)")
        #expect(try db.canaryDecisions().map(\.decision) == ["promoted"])
        let status = try await runLore(["canary", "status", "--db", store.database])
        #expect(status.status == 0 && status.stdout.contains("canary k=3: promoted"), "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("canary: ") && status.stdout.contains("primary: "), "\(status.stdout)")
    }

    @Test(
        "a real LLM server stopped partway through is rolled back within the rollback budget; the primary answers every request; the decision shows in metrics, the log and lore canary status"
    )
    func failingCandidateIsRolledBack() async throws {
        // An LLM server of this test's own: it is stopped partway through.
        let (llm, url) = try ServerProcess.onFreePort { port in
            try ServerProcess("/bin/bash", [TestPaths.repositoryRoot + "/scripts/llm-server", String(port)], timeout: 900)
        }
        let store = try await KeyedStore()
        let yaml = """
            generation:
              backends:
                - {name: llm, base_url: "\(url)", model: \(LLMServer.model), max_retries: 0}
            canary:
              backend: llm
              share: 0.5
              min_requests: 1000
              rollback_min_requests: 4
              thresholds: {refusal_rate: 1, unsupported_rate: 1, p95_latency_ratio: 0}
            """
        let server = try await LoreServe(["--config", store.directory.write("lore.yaml", yaml)], database: store.database)
        let canary = try #require(server.composition.canary)
        var n = 0
        func ask() async throws {
            let r = try await server.post(
                "/v1/query", #"{"question": "\#(Self.questions[n % 3])", "user": "u\#(n)"}"#,
                headers: ["X-Request-ID": "rollback-\(n)"])
            #expect(r.status == 200, "request \(n): \(r.body)")
            n += 1
        }
        // Healthy at first: the candidate answers its share.
        while canary.stats.canary.requests < 2 && n < 40 { try await ask() }
        #expect(canary.state == .running && canary.stats.canary.failures == 0, "\(canary.stats)")
        let before = canary.stats.canary.requests
        llm.stop()
        while canary.state == .running && n < 200 { try await ask() }
        #expect(canary.state == .rolledBack, "\(canary.stats)")
        // Within the budget: enough failures to be sure, not many more.
        let failed = canary.stats.canary.requests - before
        #expect(failed >= 2 && failed <= 8, "\(failed) canary requests after the stop: \(canary.stats)")
        #expect(canary.reason.contains("error rate"), "\(canary.reason)")
        // Rolled back: the primary answers everything, and the request log says which arm answered.
        for i in 0..<3 { try await ask(); _ = i }
        let log = try #require(server.composition.requestLog)
        await log.flush()
        let db = try Store(path: store.database)
        let variants = try (0..<n).compactMap { try db.requestRecord(id: "rollback-\($0)")?.variant }
        #expect(variants.count == n, "every request answered and logged")
        #expect(
            variants.contains("canary") && variants.contains("canary_fallback") && variants.suffix(3).allSatisfy { $0 == "primary" },
            "\(variants)")
        let metrics = try await server.get("/metrics").body
        #expect(metrics.contains(#"lore_canary_decisions_total{decision="rolled_back"} 1"#), "\(metrics)")
        #expect(metrics.contains("lore_canary_state -1"), "\(metrics)")
        let status = try await runLore(["canary", "status", "--db", store.database])
        #expect(status.status == 0 && status.stdout.contains("canary backend=llm: rolled_back"), "\(status.stdout)\(status.stderr)")
        #expect(try db.canaryDecisions().first?.reason.contains("error rate") == true)
        // The decision survives a restart, until lore canary reset.
        let again = try await LoreServe(["--config", store.directory.path + "/lore.yaml"], database: store.database)
        #expect(again.composition.canary?.state == .rolledBack)
        let reset = try await runLore(["canary", "reset", "--db", store.database, "--config", store.directory.path + "/lore.yaml"])
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(try db.canaryRun(candidate: "backend=llm") == nil)
    }

    @Test("bad canary settings are refused at start, naming the key")
    func badSettings() async throws {
        let store = try await KeyedStore()
        for (yaml, key) in [
            ("canary:\n  prompt: answer@v2\n  share: 2\n", "canary.share"),
            ("canary:\n  retrieval: {mode: sparse}\n", "canary.retrieval.mode"),
            ("canary:\n  backend: nowhere\n", "canary.backend"),
            ("canary:\n  prompt: answer@v2\n  thresholds: {p95_latency_ratio: 0.5}\n", "canary.thresholds.p95_latency_ratio"),
            ("canary:\n  prompt: answer@v2\n  confidence: 1\n", "canary.confidence")
        ] {
            let file = store.directory.write("bad.yaml", yaml)
            do {
                _ = try await LoreServe(["--config", file], database: store.database)
                Issue.record("\(key): the server started")
            } catch {
                #expect("\(error)".contains(key), "\(key): \(error)")
            }
        }
    }
}
