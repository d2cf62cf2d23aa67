import Foundation
import LoreCore
import LoreStore
import LoreTestSupport
import Testing

/// Traces in a real collector: `lore serve` (the real binary) exports OTLP/HTTP protobuf to
/// Arize Phoenix (`scripts/trace-collector`), and the test reads the spans back through
/// Phoenix's REST API for one streamed answer from the real LLM server.
@Suite("traces in a real collector (Phoenix)")
struct TraceExportTests {
    /// One span as Phoenix's `GET /v1/projects/default/spans` gives it.
    struct PhoenixSpan: @unchecked Sendable {
        var name: String
        var spanID: String
        var parentID: String?
        var kind: String
        var status: String
        var attributes: [String: Any]
        var events: [String]
    }

    static func spans(_ collector: String, trace: String) throws -> [PhoenixSpan] {
        let r = try curlExchange(collector, "GET", "/v1/projects/default/spans?limit=1000")
        guard r.status == 200, let data = r.json?["data"] as? [[String: Any]] else {
            throw CurlFailure(description: "Phoenix answered \(r.status): \(r.body.prefix(300))")
        }
        return data.compactMap { s in
            guard let context = s["context"] as? [String: Any], context["trace_id"] as? String == trace else { return nil }
            return PhoenixSpan(
                name: s["name"] as? String ?? "", spanID: context["span_id"] as? String ?? "", parentID: s["parent_id"] as? String,
                kind: s["span_kind"] as? String ?? "", status: s["status_code"] as? String ?? "",
                attributes: s["attributes"] as? [String: Any] ?? [:],
                events: (s["events"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        }
    }

    @Test(
        "a streamed answer from the real LLM server arrives in Phoenix as one trace: the server span under the caller's traceparent, a query span, a span per stage with retrieval's own under it, gen_ai attributes on the generation; the trace id in the response and the request log; captured text redacted"
    )
    func streamedAnswerInPhoenix() async throws {
        // Phoenix and the LLM server start at once, each waited for on a thread of its own
        // (the suites beside this one serve requests on the cooperative pool).
        async let startingPhoenix = offPool {
            try ServerProcess.onFreePort { port in
                try ServerProcess("/bin/bash", [TestPaths.repositoryRoot + "/scripts/trace-collector", String(port)], timeout: 600)
            }
        }
        async let startingLLM = offPool { try LLMServer.url() }
        let (phoenix, collector) = try await startingPhoenix
        defer { phoenix.stop() }
        let llm = try await startingLLM
        let store = try await KeyedStore()
        let yaml = """
            generation:
              backends:
                - {name: llm, base_url: "\(llm)", model: \(LLMServer.model)}
            tracing:
              endpoint: \(collector)
              service_name: lore-trace-test
              capture_content: true
            """
        let configFile = store.directory.write("lore.yaml", yaml), database = store.database
        let server = try await offPool { try LoreServeProcess(["--config", configFile], database: database) }
        let caller = TraceContext.random()
        let email = "jane.roe@example.com"
        let r = try await server.request(
            "POST", "/v1/query",
            json: #"{"question": "How does WAL mode let readers work? Reply to \#(email)", "stream": true, "backend": "llm"}"#,
            headers: ["traceparent": caller.traceparent, "X-Request-ID": "traced-1"])
        #expect(r.status == 200 && r.body.contains("event: done"), "\(r.status) \(r.body.prefix(400))")
        // The response names the trace and the server's span in it.
        let response = try #require(r.headers["traceresponse"].flatMap(TraceContext.init(traceparent:)), "\(r.headers)")
        #expect(response.traceID == caller.traceID)

        // Phoenix stores what it receives in the background: read until the trace is whole.
        var spans: [PhoenixSpan] = []
        let deadline = Date().addingTimeInterval(60)
        repeat {
            spans = try await offPool { try Self.spans(collector, trace: caller.traceID) }
            if spans.contains(where: { $0.name.hasPrefix("POST") }) && spans.count >= 12 { break }
            try await Task.sleep(for: .milliseconds(250))
        } while Date() < deadline
        let byName = Dictionary(spans.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Set(byName.keys)
        let server_ = try #require(byName["POST /v1/query"], "\(names.sorted())")
        // The server span is a child of the caller's span; everything else descends from it.
        #expect(server_.parentID == caller.spanIDHex && server_.spanID == response.spanIDHex)
        #expect(server_.attributes["http.response.status_code"] as? Int == 200, "\(server_.attributes)")
        let query = try #require(byName["query"], "\(names.sorted())")
        #expect(query.parentID == server_.spanID)
        for stage in ["input_guard", "retrieve", "context_guard", "prompt", "output_guard"] {
            #expect(byName[stage]?.parentID == query.spanID, "\(stage): \(names.sorted())")
        }
        let retrieve = try #require(byName["retrieve"])
        #expect(retrieve.kind == "RETRIEVER")
        for step in ["lexical_search", "dense_search", "fusion", "mmr"] {
            #expect(byName[step]?.parentID == retrieve.spanID, "\(step): \(names.sorted())")
        }
        #expect(spans.contains { $0.name == "embed" }, "the question is embedded: \(names.sorted())")
        // The generation: named as the GenAI conventions ask, with their attributes.
        let chat = try #require(byName["chat \(LLMServer.model)"], "\(names.sorted())")
        #expect(chat.parentID == query.spanID && chat.kind == "LLM")
        #expect(chat.attributes["gen_ai.operation.name"] as? String == "chat")
        #expect(chat.attributes["gen_ai.request.model"] as? String == LLMServer.model)
        #expect((chat.attributes["gen_ai.usage.input_tokens"] as? Int ?? 0) > 0, "\(chat.attributes)")
        #expect((chat.attributes["gen_ai.usage.output_tokens"] as? Int ?? 0) > 0, "\(chat.attributes)")
        #expect(chat.attributes["gen_ai.request.stream"] as? Bool == true)
        #expect((chat.attributes["lore.time_to_first_token_ms"] as? Double ?? 0) > 0, "\(chat.attributes)")
        #expect(chat.events.contains("gen_ai.content.first_token"), "\(chat.events)")
        #expect(spans.allSatisfy { $0.status != "ERROR" }, "\(spans.map { ($0.name, $0.status) })")
        // Captured text is the guarded text: the e-mail address was redacted before any span saw it.
        let input = query.attributes["input.value"] as? String ?? ""
        #expect(!input.isEmpty && !input.contains(email), "\(input)")
        let everything = try JSONSerialization.data(withJSONObject: spans.map(\.attributes))
        #expect(!String(decoding: everything, as: UTF8.self).contains(email))

        // The trace id in the request log; the server stops cleanly with its exporter.
        let clean = try await offPool { server.process.stop(grace: 60) }
        #expect(clean, "lore serve exits on SIGTERM by itself, its exporter stopped")
        #expect(try Store(path: store.database).requestRecord(id: "traced-1")?.traceID == caller.traceID)
    }

    @Test("bad tracing settings are refused at start, naming the key")
    func badSettings() async throws {
        let store = try await KeyedStore()
        for (yaml, key) in [
            ("tracing:\n  endpoint: ftp://collector\n", "tracing.endpoint"),
            ("tracing:\n  endpoint: http://127.0.0.1:4318\n  sample: 2\n", "tracing.sample"),
            ("tracing:\n  endpoint: http://127.0.0.1:4318\n  headers: novalue\n", "tracing.headers"),
            ("tracing:\n  endpoint: http://127.0.0.1:4318\n  queue: 0\n", "tracing.queue")
        ] {
            let file = store.directory.write("bad.yaml", yaml)
            let r = try await runLore(["serve", "--db", store.database, "--config", file, "--port", "0", "--unauthenticated"])
            #expect(r.status != 0 && r.stderr.contains(key), "\(yaml): \(r.stderr)")
        }
    }
}
