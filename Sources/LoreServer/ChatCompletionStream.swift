import Hummingbird
import Logging
import LoreQuery

/// A chat completion streamed as OpenAI streams it: `text/event-stream` of
/// `data: {chat.completion.chunk}` lines, each followed by a blank line:
///
/// 1. `delta: {"role": "assistant", "content": ""}`;
/// 2. one chunk per piece of the answer the pipeline produces, `delta: {"content": "..."}`;
/// 3. a final chunk with an empty `delta`, the `finish_reason` and the `lore` extension (the
///    citations, as in a whole response);
/// 4. with `stream_options.include_usage`, a chunk with empty `choices` and the `usage`;
/// 5. `data: [DONE]`.
///
/// An error after the stream started is `data: {"error": {"code", "message"}}`, then
/// `data: [DONE]`.
struct ChatCompletionStream {
    struct Delta: Encodable {
        var role: String?
        var content: String?
    }

    struct Choice: Encodable {
        var index = 0
        var delta: Delta
        var finishReason: String?

        enum CodingKeys: String, CodingKey { case index, delta, finishReason = "finish_reason" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(finishReason, forKey: .finishReason)  // null until the last chunk, as OpenAI
        }
    }

    struct Chunk: Encodable {
        var id: String
        var object = "chat.completion.chunk"
        var created: Int
        var model: String
        var choices: [Choice]
        var usage: ChatUsage?
        var lore: ChatCompletionExtension?
    }

    let id: String
    let created: Int
    let model: String
    let includeUsage: Bool
    let ignoredSystemMessages: Int

    init(requestID: String, created: Int, model: String, includeUsage: Bool, ignoredSystemMessages: Int) {
        id = ChatCompletionExtension.completionID(requestID)
        self.created = created
        self.model = model
        self.includeUsage = includeUsage
        self.ignoredSystemMessages = ignoredSystemMessages
    }

    /// Writes `events` to `writer` as chunks, each as soon as the pipeline produces it, up to
    /// and including `[DONE]` (the caller finishes the body).
    func write(
        _ events: AsyncThrowingStream<QueryEvent, any Error>, to writer: inout any ResponseBodyWriter,
        logger: Logger
    ) async throws {
        do {
            try await writer.write(frame(chunk(Delta(role: "assistant", content: ""))))
            var streamed = ""
            for try await event in events {
                switch event {
                case .delta(let text):
                    streamed += text
                    try await writer.write(frame(chunk(Delta(content: text))))
                case .done(let response):
                    var lore = ChatCompletionExtension(response, ignoredSystemMessages: ignoredSystemMessages)
                    if response.answer != streamed { lore.answer = response.answer }
                    var last = chunk(Delta(), finishReason: ChatCompletionExtension.finishReason(response))
                    last.lore = lore
                    try await writer.write(frame(last))
                    if includeUsage {
                        try await writer.write(
                            frame(Chunk(id: id, created: created, model: model, choices: [], usage: ChatUsage(response.usage))))
                    }
                case .retrieval, .guardrail:
                    break  // the final chunk's extension carries the citations and the findings
                }
            }
        } catch {
            try? await writer.write(ByteBuffer(string: "data: \(APIError.from(error, logger: logger).body)\n\n"))
        }
        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
    }

    func chunk(_ delta: Delta, finishReason: String? = nil) -> Chunk {
        Chunk(id: id, created: created, model: model, choices: [Choice(delta: delta, finishReason: finishReason)])
    }

    func frame(_ chunk: Chunk) throws -> ByteBuffer {
        ByteBuffer(string: "data: \(try ResponseJSON.encode(chunk))\n\n")
    }
}
