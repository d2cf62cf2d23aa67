import LoreCore
import Testing

@testable import LoreGenerate

/// The SSE decoder and the chat-completions payloads, byte by byte.
@Suite("Server-sent events and chat-completions payloads")
struct ServerSentEventDecoderTests {
    /// As the chat-completions client decodes: unknown fields rejected, the last event
    /// flushed at the end.
    func decode(_ pieces: [[UInt8]]) throws -> [String] {
        var d = ServerSentEventDecoder(unknownFields: .reject)
        var events: [String] = []
        for p in pieces {
            d.append(p)
            while let e = try d.next() { events.append(e.data) }
        }
        if let e = try d.finish(flushing: true) { events.append(e.data) }
        return events
    }

    static let stream =
        "data: {\"a\":\"é\"}\r\n\r\n: keep-alive\r\n\r\nevent: message\nid: 7\ndata: line one\ndata: line two\n\ndata:[DONE]\r\r"

    @Test("the same events come out whichever byte the body is split at")
    func splitAnywhere() throws {
        let bytes = Array(Self.stream.utf8)
        let whole = try decode([bytes])
        #expect(whole == ["{\"a\":\"é\"}", "line one\nline two", "[DONE]"])
        for cut in 1..<bytes.count {
            #expect(try decode([Array(bytes[..<cut]), Array(bytes[cut...])]) == whole, "cut at \(cut)")
        }
        #expect(try decode(bytes.map { [$0] }) == whole, "one byte per read")
    }

    @Test("a last event without its closing blank line is still delivered at the end")
    func unterminatedLastEvent() throws {
        #expect(try decode([Array("data: x\n\ndata: y".utf8)]) == ["x", "y"])
    }

    @Test("a line that is not SSE is an error, quoting it")
    func garbage() {
        #expect(throws: ServerSentEventDecoder.SyntaxError.self) { try decode([Array("<html>oops</html>\n\n".utf8)]) }
    }

    @Test("the base URL works with or without /v1 and trailing slashes")
    func endpoint() {
        for base in ["http://h:1", "http://h:1/", "http://h:1/v1", "http://h:1/v1/"] {
            #expect(OpenAIGeneratorConfiguration(name: "n", baseURL: base, model: "m").endpoint == "http://h:1/v1/chat/completions")
        }
    }

    @Test("a bad base URL or an empty model is refused at construction")
    func invalidConfiguration() {
        #expect(throws: GenerationError.self) {
            try OpenAICompatibleGenerator(OpenAIGeneratorConfiguration(name: "n", baseURL: "ftp://x", model: "m"))
        }
        #expect(throws: GenerationError.self) {
            try OpenAICompatibleGenerator(OpenAIGeneratorConfiguration(name: "n", baseURL: "http://x", model: ""))
        }
    }

    @Test("a streamed chunk: delta content, finish reason; a usage-only chunk")
    func chunks() throws {
        let delta = try ChatCompletionPayload.parse(
            #"{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#, streamed: true)
        #expect(delta == ChatCompletionPart(content: "Hi"))
        let end = try ChatCompletionPayload.parse(#"{"choices":[{"delta":{},"finish_reason":"length"}]}"#, streamed: true)
        #expect(end.finishReason == "length" && end.content.isEmpty)
        let usage = try ChatCompletionPayload.parse(
            #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#, streamed: true)
        #expect(usage.usage == TokenUsage(promptTokens: 3, completionTokens: 4, estimated: false))
        let error = try ChatCompletionPayload.parse(#"{"error":{"message":"boom","code":"429"}}"#, streamed: true)
        #expect(error.error == "boom" && error.errorCode == 429)
        #expect(throws: MalformedResponse.self) {
            try ChatCompletionPayload.parse(#"{"choices":[{"delta":{"content":5}}]}"#, streamed: true)
        }
        #expect(throws: MalformedResponse.self) { try ChatCompletionPayload.parse("[1,2]", streamed: true) }
    }

    @Test("error bodies: the server's message in its usual places")
    func errorMessages() {
        #expect(ChatCompletionPayload.errorMessage(fromBody: #"{"error":{"message":"model not found"}}"#) == "model not found")
        #expect(ChatCompletionPayload.errorMessage(fromBody: #"{"error":"bad key"}"#) == "bad key")
        #expect(ChatCompletionPayload.errorMessage(fromBody: #"{"detail":"Not Found"}"#) == "Not Found")
        #expect(ChatCompletionPayload.errorMessage(fromBody: "Bad Gateway") == "Bad Gateway")
        #expect(ChatCompletionPayload.errorMessage(fromBody: "") == "(empty body)")
    }

    @Test("the request body: stream_options only when streaming, optional settings only when set")
    func requestBody() {
        let r = GenerationRequest(messages: [ChatMessage(.system, "s"), ChatMessage(.user, "q \"x\"")], stream: false)
        #expect(
            ChatCompletionPayload.requestBody(model: "m", r)
                == #"{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"q \"x\""}],"stream":false}"#)
    }
}
