import Foundation
import LoreTestSupport
import Testing

/// Every bad request to the OpenAI-compatible routes gets its documented 4xx in Lore's one
/// error shape, with a message naming the field, and leaves the server healthy.
@Suite("lore serve: OpenAI-compatible routes, bad input")
struct OpenAIBadInputTests {
    typealias Case = BadInputTests.Case

    static let question = #"{"role": "user", "content": "What does WAL mode let readers do?"}"#
    static func chat(_ extra: String = "", messages: String? = nil, model: String = #""lore-default""#) -> String {
        #"{"model": \#(model), "messages": \#(messages ?? "[\(question)]")\#(extra.isEmpty ? "" : ", " + extra)}"#
    }

    static func embed(_ extra: String) -> String { #"{"model": "all-MiniLM-L6-v2", \#(extra)}"# }

    static let chatPath = "/v1/chat/completions"
    static let embedPath = "/v1/embeddings"

    static let cases: [Case] = [
        // The body and the standard fields.
        Case(
            path: chatPath, body: #"{"model": "lore-default", "messages": ["#, status: 400, code: "invalid_request",
            mentions: "not valid JSON"),
        Case(path: chatPath, body: #"{"messages": [\#(question)]}"#, status: 400, code: "invalid_request", mentions: "model"),
        Case(path: chatPath, body: chat(model: "7"), status: 400, code: "invalid_request", mentions: "model"),
        Case(path: chatPath, body: chat(model: #""gpt-9""#), status: 404, code: "model_not_found", mentions: "gpt-9"),
        Case(path: chatPath, body: chat(model: #""all-MiniLM-L6-v2""#), status: 404, code: "model_not_found", mentions: "model"),
        Case(path: chatPath, body: #"{"model": "lore-default"}"#, status: 400, code: "invalid_request", mentions: "messages"),
        Case(path: chatPath, body: chat(messages: "[]"), status: 400, code: "invalid_request", mentions: "messages"),
        Case(path: chatPath, body: chat(messages: #""hi""#), status: 400, code: "invalid_request", mentions: "messages"),
        Case(
            path: chatPath, body: chat(messages: #"[{"role": "assistant", "content": "hi"}]"#), status: 400, code: "invalid_request",
            mentions: "messages[0].role"),
        Case(
            path: chatPath, body: chat(messages: #"[\#(question), {"role": "system", "content": "be brief"}]"#), status: 400,
            code: "invalid_request", mentions: "messages[1].role"),
        Case(
            path: chatPath, body: chat(messages: #"[{"role": "tool", "content": "42"}, \#(question)]"#), status: 400,
            code: "invalid_request", mentions: "messages[0].role"),
        Case(
            path: chatPath, body: chat(messages: #"[{"content": "hi"}]"#), status: 400, code: "invalid_request",
            mentions: "messages[0].role"),
        Case(
            path: chatPath, body: chat(messages: #"[{"role": "user"}]"#), status: 400, code: "invalid_request",
            mentions: "messages[0].content"),
        Case(
            path: chatPath, body: chat(messages: #"[{"role": "user", "content": 5}]"#), status: 400, code: "invalid_request",
            mentions: "messages[0].content"),
        Case(
            path: chatPath, body: chat(messages: #"[{"role": "user", "content": "  "}]"#), status: 400, code: "invalid_request",
            mentions: "messages[0].content"),
        Case(
            path: chatPath, body: chat(messages: #"[{"role": "user", "content": "hi", "mood": "calm"}]"#), status: 400,
            code: "invalid_request", mentions: "messages[0].mood"),
        Case(
            path: chatPath,
            body: chat(
                messages:
                    #"[{"role": "user", "content": [{"type": "text", "text": "wal"}, {"type": "image_url", "image_url": {"url": "x"}}]}]"#),
            status: 400, code: "invalid_request", mentions: "messages[0].content[1].type"),
        Case(
            path: chatPath, body: chat(messages: #"[{"role": "user", "content": [{"type": "text"}]}]"#), status: 400,
            code: "invalid_request", mentions: "messages[0].content[0].text"),
        Case(path: chatPath, body: chat(#""n": 2"#), status: 400, code: "invalid_request", mentions: "n:"),
        Case(path: chatPath, body: chat(#""stream": "yes""#), status: 400, code: "invalid_request", mentions: "stream"),
        Case(
            path: chatPath, body: chat(#""stream_options": {"include_usage": 1}"#), status: 400, code: "invalid_request",
            mentions: "stream_options.include_usage"),
        Case(path: chatPath, body: chat(#""temperature": 3"#), status: 400, code: "invalid_request", mentions: "temperature"),
        Case(path: chatPath, body: chat(#""top_p": "high""#), status: 400, code: "invalid_request", mentions: "top_p"),
        Case(path: chatPath, body: chat(#""max_tokens": 0"#), status: 400, code: "invalid_request", mentions: "max_tokens"),
        Case(
            path: chatPath, body: chat(#""max_completion_tokens": 1.5"#), status: 400, code: "invalid_request",
            mentions: "max_completion_tokens"),
        Case(path: chatPath, body: chat(#""stop": ["a", "b", "c", "d", "e"]"#), status: 400, code: "invalid_request", mentions: "stop"),
        Case(path: chatPath, body: chat(#""seed": "lucky""#), status: 400, code: "invalid_request", mentions: "seed"),
        Case(
            path: chatPath, body: chat(#""response_format": {"type": "json_object"}"#), status: 400, code: "invalid_request",
            mentions: "response_format.type"),
        Case(path: chatPath, body: chat(#""logprobs": true"#), status: 400, code: "invalid_request", mentions: "logprobs"),
        Case(path: chatPath, body: chat(#""tools": []"#), status: 400, code: "invalid_request", mentions: "tools"),
        // The lore extension.
        Case(path: chatPath, body: chat(#""lore": 3"#), status: 400, code: "invalid_request", mentions: "lore"),
        Case(path: chatPath, body: chat(#""lore": {"question": "x"}"#), status: 400, code: "invalid_request", mentions: "lore.question"),
        Case(path: chatPath, body: chat(#""lore": {"k": 0}"#), status: 400, code: "invalid_request", mentions: "lore.k"),
        Case(
            path: chatPath, body: chat(#""lore": {"k": 30, "fetch_k": 10}"#), status: 400, code: "invalid_request", mentions: "lore.fetch_k"
        ),
        Case(path: chatPath, body: chat(#""lore": {"mode": "psychic"}"#), status: 400, code: "invalid_request", mentions: "lore.mode"),
        Case(
            path: chatPath, body: chat(#""lore": {"filters": {"format": "rtf"}}"#), status: 400, code: "invalid_request",
            mentions: "lore.filters.format"),
        Case(
            path: chatPath, body: chat(#""lore": {"collection": "nowhere"}"#), status: 404, code: "collection_not_found",
            mentions: "lore.collection"),
        Case(
            path: chatPath, body: chat(#""lore": {"prompt": "answer@v99"}"#), status: 400, code: "invalid_request", mentions: "lore.prompt"),
        Case(path: chatPath, body: chat(#""lore": {"backend": "gpt-9"}"#), status: 400, code: "invalid_request", mentions: "lore.backend"),
        Case(
            path: chatPath, body: chat(#""lore": {"prompt": "answer@v1"}"#, model: #""lore-answer-v2""#), status: 400,
            code: "invalid_request", mentions: "lore.prompt"),
        Case(
            path: chatPath, body: chat(#""stream": true, "lore": {"mode": "psychic"}"#), status: 400, code: "invalid_request",
            mentions: "lore.mode"),
        // Embeddings.
        Case(path: embedPath, body: #"{"input": "wal"}"#, status: 400, code: "invalid_request", mentions: "model"),
        Case(
            path: embedPath, body: #"{"model": "text-embedding-3-small", "input": "wal"}"#, status: 404, code: "model_not_found",
            mentions: "text-embedding-3-small"),
        Case(path: embedPath, body: #"{"model": "lore-default", "input": "wal"}"#, status: 404, code: "model_not_found", mentions: "model"),
        Case(path: embedPath, body: embed(#""dimensions": 3"#), status: 400, code: "invalid_request", mentions: "input"),
        Case(path: embedPath, body: embed(#""input": """#), status: 400, code: "invalid_request", mentions: "input"),
        Case(path: embedPath, body: embed(#""input": []"#), status: 400, code: "invalid_request", mentions: "input"),
        Case(path: embedPath, body: embed(#""input": ["wal", ""]"#), status: 400, code: "invalid_request", mentions: "input[1]"),
        Case(path: embedPath, body: embed(#""input": ["wal", 3]"#), status: 400, code: "invalid_request", mentions: "token-id"),
        Case(path: embedPath, body: embed(#""input": [[101, 2000]]"#), status: 400, code: "invalid_request", mentions: "token-id"),
        Case(path: embedPath, body: embed(#""input": {"text": "wal"}"#), status: 400, code: "invalid_request", mentions: "input"),
        Case(
            path: embedPath, body: embed(#""input": [\#(Array(repeating: #""wal""#, count: 257).joined(separator: ","))]"#),
            status: 400, code: "invalid_request", mentions: "256"),
        Case(
            path: embedPath, body: embed(#""input": "wal", "encoding_format": "int8""#), status: 400, code: "invalid_request",
            mentions: "encoding_format"),
        Case(
            path: embedPath, body: embed(#""input": "wal", "dimensions": 128"#), status: 400, code: "invalid_request",
            mentions: "dimensions"),
        Case(
            path: embedPath, body: embed(#""input": "wal", "truncate": true"#), status: 400, code: "invalid_request", mentions: "truncate"),
        Case(
            path: embedPath, body: embed(#""input": "wal", "lore": {"collection": "nowhere"}"#), status: 404, code: "collection_not_found",
            mentions: "lore.collection"),
        // Methods and paths.
        Case(method: "GET", path: chatPath, status: 405, code: "method_not_allowed", mentions: "POST"),
        Case(method: "POST", path: "/v1/models", body: "{}", status: 405, code: "method_not_allowed", mentions: "GET"),
        Case(method: "GET", path: "/v1/models/gpt-9", status: 404, code: "model_not_found", mentions: "gpt-9")
    ]

    @Test("each bad request gets its 4xx, the error shape and a message naming the field", arguments: cases)
    func badRequest(_ c: Case) async throws {
        let server = try await LoreServe.shared.get()
        try await c.expectDocumentedError(from: server)
    }

    @Test("after every bad request the server is healthy and still answers chat completions and embeddings")
    func healthyAfterwards() async throws {
        let server = try await LoreServe.shared.get()
        for c in Self.cases { _ = try await server.request(c.method, c.path, json: c.body) }
        #expect(try await server.get("/healthz").status == 200)
        #expect(try await server.get("/readyz").status == 200)
        let chat = try await server.post(Self.chatPath, Self.chat())
        #expect(chat.status == 200, "\(chat.body)")
        let choices = try #require(chat.json?["choices"] as? [[String: Any]])
        #expect(((choices.first?["message"] as? [String: Any])?["content"] as? String)?.isEmpty == false, "\(chat.body)")
        let embed = try await server.post(Self.embedPath, Self.embed(#""input": "wal""#))
        #expect(embed.status == 200, "\(embed.body)")
    }
}
