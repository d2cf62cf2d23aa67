import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// Shadow traffic in process: a candidate named in `shadow:` answers live requests again in
/// the background; the pairs are stored and reported by the real `lore shadow report`; its
/// queue drops and counts what it cannot hold; its failures are counted, never surfaced.
@Suite("shadow traffic")
struct ShadowTests {
    static let questions = [
        "What does WAL mode let readers do?", "How are chunks split by headings?", "How does reciprocal rank fusion work?",
        "What is the capital of Atlantis?"
    ]

    /// The value of `lore_shadow_requests_total{outcome="OUTCOME"}` in a metrics page (0 when absent).
    static func shadowCount(_ metrics: String, _ outcome: String) -> Int {
        for line in metrics.split(separator: "\n") where line.hasPrefix("lore_shadow_requests_total{") {
            if line.contains(#"outcome="\#(outcome)""#), let value = line.split(separator: " ").last.flatMap({ Double($0) }) {
                return Int(value)
            }
        }
        return 0
    }

    @Test(
        "every answered request is answered again by the candidate; the pairs compare retrieval, citations, refusals, answers, latency and tokens"
    )
    func pairsAreStoredAndReported() async throws {
        let store = try await KeyedStore()
        let yaml = "shadow:\n  retrieval: {k: 2, mode: lexical}\n  sample: 1\n"
        let server = try await LoreServe(["--config", store.directory.write("lore.yaml", yaml)], database: store.database)
        for (i, q) in Self.questions.enumerated() {
            let r = try await server.post("/v1/query", #"{"question": "\#(q)", "k": 4}"#, headers: ["X-Request-ID": "shadowed-\(i)"])
            #expect(r.status == 200, "\(r.body)")
            // The user gets the primary's answer: four passages, not the candidate's two.
            #expect((r.json?["citations"] as? [Any])?.count ?? 0 <= 4)
        }
        await server.composition.closeShadow()
        let pairs = try Store(path: store.database).shadowPairs()
        #expect(pairs.count == Self.questions.count, "\(pairs.map(\.requestID))")
        for p in pairs {
            #expect(p.candidate == "mode=lexical k=2")
            #expect(p.k == 4 && (0...1).contains(p.overlapAtK) && (0...1).contains(p.citedAgreement), "\(p)")
            #expect(p.overlapAtK <= 0.5, "the candidate retrieves 2 chunks, so at most 2 of the primary's 4 overlap: \(p)")
            #expect(p.answerSimilarity.map { (-1...1.0001).contains($0) } == true, "\(p)")
            #expect(p.primaryMs > 0 && p.candidateMs > 0 && (p.primaryRefused || p.primaryTokens > 0), "\(p)")
        }
        // The candidate's own requests are not in the request log.
        #expect(try Store(path: store.database).requestRecord(id: "shadowed-0~shadow") == nil)
        #expect(try Store(path: store.database).requestRecord(id: "shadowed-0") != nil)

        let html = store.directory.path + "/shadow.html"
        let report = try await runLore(["shadow", "report", "--db", store.database, "--html", html])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(
            report.stdout.contains("candidate mode=lexical k=2: 4 pairs") && report.stdout.contains("retrieval overlap@k"),
            "\(report.stdout)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("Most different answers"), "\(page.prefix(500))")
        // A real browser renders it, and the chart's bars are visible in its screenshot.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            || ProcessInfo.processInfo.environment["LORE_REQUIRE_CHROMIUM"] == "1"
        {
            let shot = try await runProcess("/bin/bash", [TestPaths.repositoryRoot + "/scripts/screenshot-report", html, html + ".png"])
            #expect(shot.status == 0 && shot.stdout.contains("'answer similarity'"), "\(shot.stdout)\n\(shot.stderr)")
        }
        let json = try await runLore(["shadow", "report", "--db", store.database, "--json"])
        let summaries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stderr)")
        #expect(summaries.first?["pairs"] as? Int == 4)
        #expect((summaries.first?["similarity_buckets"] as? [Int])?.reduce(0, +) == 4)
    }

    @Test(
        "a full queue drops and counts: with the candidate busy on a slow backend and a queue of one, later requests are dropped; the primary answers every one"
    )
    func fullQueueDrops() async throws {
        let store = try await KeyedStore()
        let llm = try SlowBackendTests.faultLLM()
        // The candidate streams 20 deltas 0.2 s apart: about 4 s per shadowed request.
        let yaml = """
            generation:
              backends:
                - {name: slow, base_url: "http://127.0.0.1:\(llm.ready)/shadow-\(UUID().uuidString.prefix(8))/slow-20", model: fault, max_retries: 0}
            shadow:
              backend: slow
              queue: 1
            """
        let server = try await LoreServe(["--config", store.directory.write("lore.yaml", yaml)], database: store.database)
        for (i, q) in Self.questions.enumerated() {
            // Streamed: the candidate is asked as the primary was, and the slow backend only streams.
            let r = try await server.post(
                "/v1/query", #"{"question": "\#(q)", "stream": true}"#, headers: ["X-Request-ID": "burst-\(i)"])
            #expect(r.status == 200 && r.body.contains("event: done") && r.body.contains(#""backend":"extractive""#), "\(r.body)")
        }
        let metrics = try await server.get("/metrics").body
        // Every offer is queued or dropped; while the first runs (4 s) one waits and the
        // rest find the queue full (the four primaries take well under 4 s).
        let queued = Self.shadowCount(metrics, "queued"), dropped = Self.shadowCount(metrics, "dropped")
        #expect(queued + dropped == Self.questions.count && dropped >= 1 && queued >= 1, "\(metrics)")
        await server.composition.closeShadow()
        let after = try await server.get("/metrics").body
        #expect(Self.shadowCount(after, "compared") == queued, "\(after)")
        #expect(try Store(path: store.database).shadowPairs().map(\.candidate) == Array(repeating: "backend=slow", count: queued))
        withExtendedLifetime(llm) {}  // the LLM server lives until here (release builds may end it after its last use)
    }

    @Test("a failing candidate is counted, never surfaced: every request still answers 200")
    func failuresAreCounted() async throws {
        let store = try await KeyedStore()
        let yaml = """
            generation:
              backends:
                - {name: down, base_url: "http://127.0.0.1:\(ServerProcess.refusingPort())", model: none, max_retries: 0}
            shadow:
              backend: down
            """
        let server = try await LoreServe(["--config", store.directory.write("lore.yaml", yaml)], database: store.database)
        for q in Self.questions.prefix(2) {
            #expect(try await server.post("/v1/query", #"{"question": "\#(q)"}"#).status == 200)
        }
        await server.composition.closeShadow()
        let metrics = try await server.get("/metrics").body
        #expect(Self.shadowCount(metrics, "failed") == 2, "\(metrics)")
        #expect(try Store(path: store.database).shadowPairs().isEmpty)
    }

    @Test(
        "the candidate keeps to spare capacity: the server counts its requests in flight; a shadowed request waits while one is, and is dropped and counted as expired when no quiet moment comes in time"
    )
    func candidateWaitsForQuiet() async throws {
        let store = try await KeyedStore()
        let llm = try SlowBackendTests.faultLLM()
        let yaml = """
            generation:
              backends:
                - {name: slow, base_url: "http://127.0.0.1:\(llm.ready)/quiet-\(UUID().uuidString.prefix(8))/slow-10", model: fault, max_retries: 0}
            shadow:
              retrieval: {k: 2}
              quiet_ms: 50
              max_wait_s: 1
            """
        let server = try await LoreServe(["--config", store.directory.write("lore.yaml", yaml)], database: store.database)
        let activity = try #require(server.composition.shadow?.activity)

        // A streamed answer from the slow backend (10 deltas 0.2 s apart) is counted in
        // flight while it runs, and no longer once it is answered.
        let slow = Task { try await server.post("/v1/query", #"{"question": "\#(Self.questions[0])", "backend": "slow", "stream": true}"#) }
        let seen = await eventually(timeout: 30) { activity.requestsInFlight == 1 }
        #expect(seen, "the slow request is counted in flight")
        #expect(try await slow.value.status == 200)
        #expect(activity.requestsInFlight == 0)
        let ran = try await eventually(timeout: 60) { Self.shadowCount(try await server.get("/metrics").body, "compared") == 1 }
        #expect(ran, "its candidate ran once the server was quiet")

        // While a primary request is in flight (held here for longer than max_wait_s), the
        // next shadowed request waits, never runs, and expires.
        activity.begin()
        #expect(
            try await server.post("/v1/query", #"{"question": "\#(Self.questions[1])"}"#, headers: ["X-Request-ID": "held"]).status == 200)
        let expired = try await eventually(timeout: 30) { Self.shadowCount(try await server.get("/metrics").body, "expired") == 1 }
        #expect(expired, "the request that found no quiet moment is counted as expired")
        #expect(Self.shadowCount(try await server.get("/metrics").body, "compared") == 1, "nothing ran while a request was in flight")
        activity.end()

        // Quiet again: the next one is compared.
        #expect(
            try await server.post("/v1/query", #"{"question": "\#(Self.questions[2])"}"#, headers: ["X-Request-ID": "quiet"]).status == 200)
        await server.composition.closeShadow()
        let pairs = try Store(path: store.database).shadowPairs().map(\.requestID)
        #expect(pairs.count == 2 && pairs.contains("quiet") && !pairs.contains("held"), "\(pairs)")
        withExtendedLifetime(llm) {}
    }

    @Test("bad shadow settings are refused at start, naming the key")
    func badSettings() async throws {
        let store = try await KeyedStore()
        for (yaml, key) in [
            ("shadow:\n  prompt: answer@v2\n  sample: 1.5\n", "shadow.sample"),
            ("shadow:\n  retrieval: {mode: sparse}\n", "shadow.retrieval.mode"),
            ("shadow:\n  prompt: answer\n", "shadow.prompt"), ("shadow:\n  backend: b\n  queue: 0\n", "shadow.queue"),
            ("shadow:\n  backend: b\n  quiet_ms: -1\n", "shadow.quiet_ms"),
            ("shadow:\n  backend: b\n  max_wait_s: 0\n", "shadow.max_wait_s")
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
