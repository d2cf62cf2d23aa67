import Foundation
import LoreOps
import LoreStore
import LoreTestSupport
import Testing

/// The request log and feedback over HTTP, in process, each test over its own copy of
/// `ServeCorpus`'s store: what an answered request leaves in the log (read back by the real
/// `lore requests`), that it never holds raw personal data, retention while requests go on,
/// and `POST /v1/feedback` with its 404s, its replacement rule and its export to `lore eval`.
@Suite("request log and feedback")
struct RequestLogTests {
    static let question = "What does WAL mode let readers do?"

    /// `lore requests show ID --json` over `database`, parsed.
    static func show(_ id: String, _ database: String) async throws -> [String: Any]? {
        let r = try await runLore(["requests", "show", id, "--db", database, "--json"])
        guard r.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    }

    @Test(
        "an answered query is logged with its collection, prompt, backend, chunks, timings, channel and trace id; the question is stored redacted even with the guardrails off"
    )
    func answeredQueryIsLogged() async throws {
        let store = try await KeyedStore()
        // Guardrails off: the raw question reaches the pipeline, and the log's own redaction is what is tested.
        let server = try await LoreServe(environment: ["LORE_GUARDRAILS_ENABLED": "false"], database: store.database)
        let email = "alice.smith@example.com", card = "4111 1111 1111 1111"
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let body = #"{"question": "\#(Self.question) Mail \#(email), card \#(card)", "k": 4}"#
        let q = try await server.post(
            "/v1/query", body, headers: ["X-Request-ID": "log-answered-1", "traceparent": "00-\(trace)-00f067aa0ba902b7-01"])
        #expect(q.status == 200, "\(q.body)")
        let log = try #require(server.composition.requestLog)
        await log.flush()

        let record = try #require(try await Self.show("log-answered-1", store.database))
        #expect(record["collection"] as? String == "default")
        #expect(record["channel"] as? String == "api")
        #expect(record["backend"] as? String == "extractive")
        #expect(record["prompt_name"] as? String == "answer")
        #expect((record["prompt_version"] as? String)?.isEmpty == false)
        #expect((record["prompt_hash"] as? String)?.isEmpty == false)
        #expect(record["trace_id"] as? String == trace)
        #expect((record["retrieval"] as? [String: String])?["k"] == "4", "\(record)")
        let retrieved = try #require(record["retrieved_chunks"] as? [Int])
        #expect(!retrieved.isEmpty && retrieved.count <= 4)
        let cited = try #require(record["cited_chunks"] as? [Int])
        #expect(Set(cited).isSubset(of: Set(retrieved)), "cited \(cited), retrieved \(retrieved)")
        #expect(((record["timings"] as? [String: Double])?["total"] ?? 0) > 0)
        #expect((record["answer"] as? String) == (q.json?["answer"] as? String))
        let question = try #require(record["question"] as? String)
        #expect(question.hasPrefix(Self.question), "\(question)")
        for raw in [email, card, "4111"] { #expect(!question.contains(raw), "\(question)") }
        #expect(question.contains("<EMAIL>") || question.contains("[EMAIL"), "\(question)")

        // The human view and the list name it too; an unknown id is a clear error.
        let list = try await runLore(["requests", "list", "--db", store.database])
        #expect(list.status == 0 && list.stdout.contains("log-answered-1"), "\(list.stdout)\(list.stderr)")
        #expect(!list.stdout.contains(email))
        let missing = try await runLore(["requests", "show", "no-such-request", "--db", store.database])
        #expect(missing.status != 0 && missing.stderr.contains("no-such-request"), "\(missing.stderr)")
    }

    @Test("a request id reused by a client cannot overwrite the logged request")
    func reusedRequestID() async throws {
        let store = try await KeyedStore()
        let server = try await LoreServe(database: store.database)
        let id = "log-reused-1"
        #expect(try await server.post("/v1/query", #"{"question": "\#(Self.question)"}"#, headers: ["X-Request-ID": id]).status == 200)
        #expect(
            try await server.post("/v1/query", #"{"question": "How are chunks split by headings?"}"#, headers: ["X-Request-ID": id])
                .status == 200)
        await server.composition.requestLog?.flush()
        let record = try #require(try await Self.show(id, store.database))
        #expect(record["question"] as? String == Self.question)
    }

    @Test("retention by rows runs on the log's thread while requests go on: the oldest go, the newest stay, every request answers 200")
    func retentionWhileServing() async throws {
        let store = try await KeyedStore()
        let server = try await LoreServe(
            environment: ["LORE_REQUEST_LOG_MAX_ROWS": "3", "LORE_REQUEST_LOG_PRUNE_INTERVAL_S": "0.05"], database: store.database)
        for i in 0..<10 {
            let r = try await server.post("/v1/query", #"{"question": "\#(Self.question)"}"#, headers: ["X-Request-ID": "keep-\(i)"])
            #expect(r.status == 200, "\(r.body)")
        }
        let log = try #require(server.composition.requestLog)
        await log.flush()
        let reader = try Store(path: store.database)
        let pruned = await eventually { ((try? reader.requestCount()) ?? 99) <= 3 }
        #expect(pruned, "rows left: \(String(describing: try? reader.requestCount()))")
        #expect(try reader.requestRecord(id: "keep-9") != nil, "the newest request stays")
        #expect(try reader.requestRecord(id: "keep-0") == nil, "the oldest request went")
        let prune = try await runLore(["requests", "prune", "--db", store.database])
        #expect(prune.status == 0 && prune.stdout.contains("left"), "\(prune.stdout)\(prune.stderr)")
    }

    @Test("lore requests prune deletes by age and by rows, in batches, and leaves the rest")
    func pruneByAgeAndRows() throws {
        let dir = TemporaryDirectory("lore-prune")
        let store = try Store(path: dir.path + "/log.db")
        let now = Date().timeIntervalSince1970
        func record(_ i: Int, daysAgo: Double) -> RequestRecord {
            RequestRecord(
                id: "r\(i)", at: now - daysAgo * 86_400, collection: "default", channel: "cli", promptName: "answer", promptVersion: "v1",
                promptHash: "h", backend: "extractive", model: "", question: "q\(i)", standaloneQuestion: "q\(i)", answer: "a",
                finishReason: "stop", refused: false)
        }
        try store.appendRequests((0..<1_200).map { record($0, daysAgo: 40) } + (1_200..<1_300).map { record($0, daysAgo: 1) })
        try store.recordFeedback(FeedbackRecord(requestID: "r5", rating: -1, comment: "wrong"))
        var settings = RequestLog.Settings(retentionDays: 30, maxRows: nil)
        #expect(try RequestLog.prune(store, settings: settings, now: Date()) == 1_200)
        #expect(try store.requestCount() == 100)
        #expect(try store.feedback(requestID: "r5") == nil, "a deleted request's rating goes with it")
        settings = RequestLog.Settings(retentionDays: nil, maxRows: 40)
        #expect(try RequestLog.prune(store, settings: settings) == 60)
        #expect(try store.requestRecord(id: "r1299") != nil && store.requestRecord(id: "r1259") == nil)
    }

    @Test("a priced backend gives the answer usage.cost from its tokens, and the log keeps it; an unpriced answer has none")
    func costPerAnswer() async throws {
        let store = try await KeyedStore()
        let llm = try SlowBackendTests.faultLLM()
        // The fault LLM reports 11 prompt and 7 completion tokens; prices per million tokens.
        let yaml = """
            generation:
              backends:
                - name: priced
                  base_url: http://127.0.0.1:\(llm.ready)/cost-\(UUID().uuidString.prefix(8))/ok
                  model: fault
                  max_retries: 0
                  price: {input_per_million: 1000000, output_per_million: 2000000}
            """
        let server = try await LoreServe(["--config", store.directory.write("lore.yaml", yaml)], database: store.database)
        let q = try await server.post(
            "/v1/query", #"{"question": "\#(Self.question)", "backend": "priced"}"#, headers: ["X-Request-ID": "priced-1"])
        #expect(q.status == 200, "\(q.body)")
        let usage = try #require(q.json?["usage"] as? [String: Any], "\(q.body)")
        #expect(usage["prompt_tokens"] as? Int == 11 && usage["completion_tokens"] as? Int == 7, "\(usage)")
        #expect((usage["cost"] as? Double).map { abs($0 - 25) < 1e-9 } == true, "11 x 1 + 7 x 2: \(usage)")
        let free = try await server.post("/v1/query", #"{"question": "\#(Self.question)"}"#, headers: ["X-Request-ID": "free-1"])
        #expect(free.status == 200 && (free.json?["usage"] as? [String: Any])?["cost"] == nil, "\(free.body)")
        await server.composition.requestLog?.flush()
        let record = try #require(try await Self.show("priced-1", store.database))
        #expect((record["cost"] as? Double).map { abs($0 - 25) < 1e-9 } == true, "\(record)")
        #expect(record["backend"] as? String == "priced" && record["model"] as? String == "fault", "\(record)")
        let badPrice = store.directory.write(
            "bad.yaml",
            "generation:\n  backends:\n    - {name: x, base_url: http://127.0.0.1:1, model: m, price: {input_per_million: -1, output_per_million: 1}}\n"
        )
        let bad = try await runLore(["query", Self.question, "--db", store.database, "--config", badPrice])
        #expect(bad.status != 0 && bad.stderr.contains("price.input_per_million"), "\(bad.stderr)")
        withExtendedLifetime(llm) {}  // the LLM server lives until here (release builds may end it after its last use)
    }

    @Test("POST /v1/feedback: 200 for an answered request, a second rating replaces the first, 404 for an unknown id, 400 naming the field")
    func feedbackRules() async throws {
        let store = try await KeyedStore()
        let server = try await LoreServe(database: store.database)
        let q = try await server.post("/v1/query", #"{"question": "\#(Self.question)"}"#, headers: ["X-Request-ID": "rate-me-1"])
        #expect(q.status == 200 && q.json?["request_id"] as? String == "rate-me-1", "\(q.body)")

        // Rated at once: the answer may still be in the log's queue, and the route waits for it.
        let good = try await server.post("/v1/feedback", #"{"request_id": "rate-me-1", "rating": 1}"#)
        #expect(good.status == 200, "\(good.body)")
        #expect(good.json?["replaced"] as? Bool == false && good.json?["rating"] as? Int == 1, "\(good.body)")
        let bad = try await server.post(
            "/v1/feedback",
            #"{"request_id": "rate-me-1", "rating": -1, "comment": "write to bob@example.org", "expected_sources": ["notes/sqlite-wal-mode.txt"]}"#
        )
        #expect(bad.status == 200 && bad.json?["replaced"] as? Bool == true, "\(bad.body)")
        let listed = try await runLore(["feedback", "list", "--db", store.database, "--json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], "\(listed.stderr)")
        #expect(items.count == 1)
        #expect(items.first?["rating"] as? Int == -1)
        let comment = items.first?["comment"] as? String ?? ""
        #expect(comment.hasPrefix("write to") && !comment.contains("bob@example.org"), "comments are stored redacted: \(comment)")

        let unknown = try await server.post("/v1/feedback", #"{"request_id": "never-asked", "rating": 1}"#)
        #expect(unknown.status == 404 && unknown.error?.code == "not_found", "\(unknown.body)")
        for (body, field) in [
            (#"{"request_id": "rate-me-1", "rating": 0}"#, "rating"), (#"{"request_id": "rate-me-1", "rating": 5}"#, "rating"),
            (#"{"rating": 1}"#, "request_id"), (#"{"request_id": "rate-me-1", "rating": 1, "stars": 5}"#, "stars"),
            (#"{"request_id": "rate-me-1", "rating": 1, "expected_sources": [""]}"#, "expected_sources")
        ] {
            let r = try await server.post("/v1/feedback", body)
            #expect(r.status == 400 && r.error?.message.contains(field) == true, "\(body): \(r.body)")
        }
        // The bad input left the rating as it was.
        #expect(try Store(path: store.database).feedback(requestID: "rate-me-1")?.rating == -1)
    }

    @Test("a key may rate only requests of its own collections: another collection's request answers 404, as an unknown id does")
    func feedbackIsScopedToCollections() async throws {
        let store = try await KeyedStore()
        let reader = try await store.create("reader", scope: "query")
        let fixturesOnly = try await store.create("fixtures", scope: "query", collections: [ServeCorpus.secondCollection])
        let ingester = try await store.create("ingester", scope: "ingest")
        let server = try await LoreServe(database: store.database, unauthenticated: false)
        let q = try await server.post(
            "/v1/query", #"{"question": "\#(Self.question)"}"#, headers: reader.bearer.merging(["X-Request-ID": "scoped-1"]) { $1 })
        #expect(q.status == 200, "\(q.body)")
        let rating = #"{"request_id": "scoped-1", "rating": -1}"#
        let foreign = try await server.post("/v1/feedback", rating, headers: fixturesOnly.bearer)
        #expect(foreign.status == 404, "\(foreign.body)")
        #expect(try await server.post("/v1/feedback", rating, headers: ingester.bearer).status == 403)
        #expect(try await server.post("/v1/feedback", rating).status == 401)
        let own = try await server.post("/v1/feedback", rating, headers: reader.bearer)
        #expect(own.status == 200, "\(own.body)")
        let recorded = try #require(try Store(path: store.database).feedback(requestID: "scoped-1"))
        #expect(recorded.keyID == reader.id)
    }

    @Test(
        "lore feedback export --as-eval-set writes the ratings with expected sources as a golden set that lore eval scores; lore eval drift --from-log reads the live questions"
    )
    func exportRunsInEval() async throws {
        let store = try await KeyedStore()
        let server = try await LoreServe(database: store.database)
        for (i, question) in [Self.question, "How are chunks split by headings?", "What is the capital of Atlantis?"].enumerated() {
            #expect(
                try await server.post("/v1/query", #"{"question": "\#(question)"}"#, headers: ["X-Request-ID": "export-\(i)"]).status == 200
            )
        }
        let rated = [
            #"{"request_id": "export-0", "rating": -1, "expected_sources": ["corpus/notes/sqlite-wal-mode.txt"], "expected_answer": "do not block"}"#,
            #"{"request_id": "export-1", "rating": 1}"#
        ]
        for body in rated { #expect(try await server.post("/v1/feedback", body).status == 200) }
        let file = store.directory.path + "/feedback.jsonl"
        let export = try await runLore(["feedback", "export", "--as-eval-set", file, "--db", store.database])
        #expect(export.status == 0 && export.stdout.contains("wrote 1 question"), "\(export.stdout)\(export.stderr)")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let line = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(line["sources"] as? [String] == ["sqlite-wal-mode.txt"] && line["question"] as? String == Self.question, "\(line)")
        let eval = try await runLore(["eval", "--set", file, "--db", store.database, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("recall@"), "\(eval.stdout)")
        // The same live questions are what `lore eval drift --from-log` compares with the corpus.
        let drift = try await runLore(["eval", "drift", "--from-log", "--db", store.database, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(drift.stdout.utf8)) as? [String: Any], "\(drift.stderr)")
        #expect((report["queries"] as? [String: Any])?["count"] as? Int == 3, "\(drift.stdout)")
        let neither = try await runLore(["eval", "drift", "--db", store.database])
        #expect(neither.status != 0 && neither.stderr.contains("--queries FILE or --from-log"), "\(neither.stderr)")
        let unwritable = try await runLore(["feedback", "export", "--as-eval-set", "/nonexistent-dir/x.jsonl", "--db", store.database])
        #expect(unwritable.status != 0 && unwritable.stderr.contains("--as-eval-set"), "\(unwritable.stderr)")
    }
}
