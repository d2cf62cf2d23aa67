import Foundation
import LoreTestSupport
import Testing

/// `POST /v1/chat/completions`, `GET /v1/models` and `POST /v1/embeddings` against a Lore
/// server (in process, on loopback) over `corpus/` (the extractive default), with real curl.
@Suite("lore serve: OpenAI-compatible routes")
struct OpenAIRouteTests {
    static let question = QueryRouteTests.question

    static func chatBody(_ model: String = "lore-default", stream: Bool = false, extra: String = "") -> String {
        #"{"model": "\#(model)", "stream": \#(stream), "messages": [{"role": "system", "content": "Answer like a pirate."}, {"role": "user", "content": "\#(question)"}]\#(extra)}"#
    }

    @Test("a chat completion is Lore's answer as a chat.completion: the same text as /v1/query, the citations in the lore extension")
    func chatCompletion() async throws {
        let server = try await LoreServe.shared.get()
        let before = Int(Date().timeIntervalSince1970)
        let r = try await server.post("/v1/chat/completions", Self.chatBody(), headers: ["X-Request-ID": "chat-test-1"])
        #expect(r.status == 200, "\(r.body)")
        #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
        let o = try #require(r.json, "not JSON: \(r.body)")
        #expect(o["id"] as? String == "chatcmpl-chat-test-1")
        #expect(o["object"] as? String == "chat.completion")
        #expect(o["model"] as? String == "lore-default")
        let created = try #require(o["created"] as? Int)
        #expect(created >= before && created <= Int(Date().timeIntervalSince1970))
        let choices = try #require(o["choices"] as? [[String: Any]])
        #expect(choices.count == 1)
        let message = try #require(choices[0]["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant")
        #expect(choices[0]["finish_reason"] as? String == "stop")
        let usage = try #require(o["usage"] as? [String: Int])
        #expect(usage["total_tokens"] == (usage["prompt_tokens"] ?? -1) + (usage["completion_tokens"] ?? -1), "\(usage)")

        // The same answer and citations as /v1/query (the system message is not forwarded).
        let query = try await server.post("/v1/query", #"{"question": "\#(Self.question)"}"#)
        let expected = try #require(query.json)
        #expect(message["content"] as? String == expected["answer"] as? String)
        let lore = try #require(o["lore"] as? [String: Any])
        let citations = try #require(lore["citations"] as? [[String: Any]])
        let queryCitations = try #require(expected["citations"] as? [[String: Any]])
        #expect(citations.map { $0["source"] as? String } == queryCitations.map { $0["source"] as? String })
        #expect(Set(citations.first?.keys ?? [:].keys) == Set(queryCitations.first?.keys ?? [:].keys))
        #expect(citations.contains { $0["cited"] as? Bool == true && ($0["source"] as? String)?.hasSuffix("sqlite-wal-mode.txt") == true })
        #expect(lore["request_id"] as? String == "chat-test-1")
        #expect(lore["ignored_system_messages"] as? Int == 1)
        #expect(lore["refused"] as? Bool == false && lore["insufficient_context"] as? Bool == false)
        #expect(lore["backend"] as? String == "extractive")
        #expect((lore["prompt"] as? [String: Any])?["name"] as? String == "answer")
        #expect(lore["standalone_question"] as? String == Self.question)
        #expect(lore["timings_ms"] is [String: Any] && lore["guardrail_findings"] is [Any])
    }

    @Test("the model picks the pipeline: lore-answer-v1 pins that prompt version; the lore extension sets k and the conversation")
    func modelSelectsPipeline() async throws {
        let server = try await LoreServe.shared.get()
        let r = try await server.post(
            "/v1/chat/completions", Self.chatBody("lore-answer-v1", extra: #", "lore": {"k": 2, "conversation_id": "c-7"}"#))
        #expect(r.status == 200, "\(r.body)")
        let lore = try #require(r.json?["lore"] as? [String: Any])
        #expect((lore["prompt"] as? [String: Any])?["version"] as? String == "v1")
        #expect((lore["citations"] as? [Any])?.count ?? 0 <= 2)
        #expect(lore["conversation_id"] as? String == "c-7")
        #expect(r.json?["model"] as? String == "lore-answer-v1")
        let v2 = try await server.post("/v1/chat/completions", Self.chatBody("lore-answer-v2"))
        #expect(((v2.json?["lore"] as? [String: Any])?["prompt"] as? [String: Any])?["version"] as? String == "v2", "\(v2.body)")
    }

    @Test("earlier user and assistant messages are the conversation: a follow-up is condensed into a standalone question")
    func conversation() async throws {
        let server = try await LoreServe.shared.get()
        let body =
            #"{"model": "lore-default", "messages": [{"role": "user", "content": "What is WAL mode in SQLite?"}, {"role": "assistant", "content": "A journal mode [1]."}, {"role": "user", "content": [{"type": "text", "text": "How do I turn it on?"}]}]}"#
        let r = try await server.post("/v1/chat/completions", body)
        #expect(r.status == 200, "\(r.body)")
        let lore = try #require(r.json?["lore"] as? [String: Any])
        let standalone = try #require(lore["standalone_question"] as? String)
        #expect(standalone != "How do I turn it on?" && standalone.localizedCaseInsensitiveContains("WAL"), "\(standalone)")
        #expect(lore["ignored_system_messages"] as? Int == 0)
    }

    @Test(
        "stream: true is OpenAI's chunk stream: the role, content deltas, a final chunk with finish_reason and the citations, usage, [DONE]"
    )
    func stream() async throws {
        let server = try await LoreServe.shared.get()
        let body = Self.chatBody(stream: true, extra: #", "stream_options": {"include_usage": true}"#)
        let r = try await runProcess(
            "/usr/bin/curl",
            [
                "-N", "-s", "-S", "-i", "--max-time", "120", "-X", "POST", "-H", "Content-Type: application/json",
                "-H", "X-Request-ID: chat-stream-1", "-d", body, server.url + "/v1/chat/completions"
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let parts = r.stdout.components(separatedBy: "\r\n\r\n")
        #expect(parts[0].lowercased().contains("content-type: text/event-stream"), "\(parts[0])")
        let events = parseEvents(parts.dropFirst().joined(separator: "\r\n\r\n"))
        #expect(events.allSatisfy { $0.event == "message" }, "OpenAI's stream has no event names")
        #expect(events.last?.data == "[DONE]", "\(events.map(\.data))")
        let chunks = events.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] }
        #expect(chunks.count == events.count - 1, "a data line is not JSON: \(r.stdout)")
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["id"] as? String == "chatcmpl-chat-stream-1" })
        func choice(_ c: [String: Any]) -> [String: Any]? { (c["choices"] as? [[String: Any]])?.first }
        #expect((choice(chunks[0])?["delta"] as? [String: Any])?["role"] as? String == "assistant")
        let usageChunk = try #require(chunks.last)
        #expect((usageChunk["choices"] as? [Any])?.isEmpty == true && usageChunk["usage"] is [String: Int], "\(usageChunk)")
        let final = chunks[chunks.count - 2]
        #expect(choice(final)?["finish_reason"] as? String == "stop", "\(final)")
        let lore = try #require(final["lore"] as? [String: Any])
        #expect((lore["citations"] as? [[String: Any]])?.contains { $0["cited"] as? Bool == true } == true)
        let middle = chunks[1..<(chunks.count - 2)]
        #expect(!middle.isEmpty)
        #expect(middle.allSatisfy { choice($0)?["finish_reason"] is NSNull }, "finish_reason before the final chunk")
        let text = middle.compactMap { (choice($0)?["delta"] as? [String: Any])?["content"] as? String }.joined()
        let whole = try await server.post("/v1/chat/completions", Self.chatBody())
        #expect(text == ((whole.json?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String)
    }

    @Test("models lists the pipelines and the embedder as OpenAI models; one model by id")
    func models() async throws {
        let server = try await LoreServe.shared.get()
        let r = try await server.get("/v1/models")
        #expect(r.status == 200, "\(r.body)")
        #expect(r.json?["object"] as? String == "list")
        let data = try #require(r.json?["data"] as? [[String: Any]])
        let ids = data.compactMap { $0["id"] as? String }
        #expect(ids == ["lore-default", "lore-answer-v1", "lore-answer-v2", "lore-extractive", "all-MiniLM-L6-v2", "lore-embed"], "\(ids)")
        for m in data {
            #expect(m["object"] as? String == "model" && m["owned_by"] as? String == "lore" && m["created"] is Int, "\(m)")
        }
        let kinds = Dictionary(uniqueKeysWithValues: data.map { ($0["id"] as! String, ($0["lore"] as? [String: Any])?["kind"] as? String) })
        #expect(kinds["lore-extractive"] == "chat" && kinds["lore-embed"] == "embedding")
        let one = try await server.get("/v1/models/lore-answer-v2")
        #expect(one.status == 200 && one.json?["id"] as? String == "lore-answer-v2", "\(one.body)")
        #expect((one.json?["lore"] as? [String: Any])?["prompt"] as? String == "answer@v2")
    }

    @Test(
        "embeddings are the collection's embedder's vectors, as lore embed prints them; base64 is little-endian float32; usage counts real tokens"
    )
    func embeddings() async throws {
        let server = try await LoreServe.shared.get()
        let texts = ["WAL mode lets readers run while a writer writes.", "Lore answers questions."]
        let input = texts.map { #""\#($0)""# }.joined(separator: ", ")
        let r = try await server.post("/v1/embeddings", #"{"model": "all-MiniLM-L6-v2", "input": [\#(input)], "dimensions": 384}"#)
        #expect(r.status == 200, "\(r.body)")
        #expect(r.json?["object"] as? String == "list" && r.json?["model"] as? String == "all-MiniLM-L6-v2")
        let data = try #require(r.json?["data"] as? [[String: Any]])
        let vectors = data.compactMap { ($0["embedding"] as? [NSNumber])?.map(\.floatValue) }
        #expect(vectors.count == 2 && data.map { $0["index"] as? Int } == [0, 1])
        let cli = try await runLore(["embed", "--json", "--db", (try await ServeCorpus.database())] + texts)
        let expected = cli.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [NSNumber]
        }
        #expect(expected.count == 2, "\(cli.stderr)")
        for (got, want) in zip(vectors, expected) {
            #expect(got.count == 384 && want.count == 384)
            #expect(zip(got, want).allSatisfy { abs($0 - $1.floatValue) <= 1e-5 })
        }
        let tokens = texts.reduce(0) { $0 + TestModel.tokenizer.countTokens($1) + 2 }
        #expect((r.json?["usage"] as? [String: Int]) == ["prompt_tokens": tokens, "total_tokens": tokens], "\(r.body)")

        let b = try await server.post("/v1/embeddings", #"{"model": "lore-embed", "input": "\#(texts[0])", "encoding_format": "base64"}"#)
        #expect(b.status == 200, "\(b.body)")
        let encoded = try #require(
            ((b.json?["data"] as? [[String: Any]])?.first?["embedding"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(encoded.count == 384 * 4)
        let decoded = (0..<384).map { i in
            Float(bitPattern: encoded[(i * 4)..<(i * 4 + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
        }
        #expect(zip(decoded, vectors[0]).allSatisfy { $0 == $1 })
    }

    @Test("metrics count chat completions by model and stream, and embedded inputs and tokens by model")
    func metrics() async throws {
        let server = try await LoreServe.shared.get()
        _ = try await server.post("/v1/chat/completions", Self.chatBody("lore-extractive"))
        _ = try await server.post("/v1/embeddings", #"{"model": "lore-embed", "input": "wal"}"#)
        let m = try await server.get("/metrics").body
        #expect(m.contains(#"lore_chat_completions_total{model="lore-extractive",stream="false"}"#), "\(m)")
        #expect(m.contains(#"lore_embedding_inputs_total{model="all-MiniLM-L6-v2"}"#))
        #expect(m.contains(#"lore_embedding_tokens_total{model="all-MiniLM-L6-v2"}"#))
        #expect(m.contains(#"lore_http_requests_total{route="/v1/chat/completions",method="POST",status="200"}"#))
        // The answer itself is counted by the pipeline, whichever route asked.
        #expect(m.contains(#"lore_queries_total{prompt="answer""#) && m.contains(#"backend="extractive",outcome="stop"}"#))
    }
}
