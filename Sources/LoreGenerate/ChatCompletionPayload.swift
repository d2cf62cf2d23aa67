import Foundation
import LoreCore

/// What one chat-completions JSON document (a streamed chunk, or a whole non-streamed
/// answer) says, reduced to what Lore uses.
struct ChatCompletionPart: Equatable {
    /// New text (`choices[0].delta.content`, or `choices[0].message.content`).
    var content = ""
    /// `choices[0].finish_reason` (`stop`, `length`, ...), when given.
    var finishReason: String?
    /// `usage`, when the server reports it.
    var usage: TokenUsage?
    /// An `error` object the server sent instead of (or inside) the answer.
    var error: String?
    /// The error's numeric `code`, when it has one (an HTTP status, by convention).
    var errorCode: Int?
}

/// A response that is not the JSON a chat-completions server sends.
struct MalformedResponse: Error, CustomStringConvertible {
    var description: String
}

/// Reading and writing chat-completions JSON.
enum ChatCompletionPayload {
    /// The request body.
    static func requestBody(model: String, _ request: GenerationRequest) -> String {
        var pairs: [(String, JSONValue)] = [
            ("model", .string(model)),
            ("messages", .array(request.messages.map { .object([("role", .string($0.role.rawValue)), ("content", .string($0.content))]) })),
            ("stream", .bool(request.stream))
        ]
        if request.stream {
            pairs.append(("stream_options", .object([("include_usage", .bool(true))])))
        }
        let p = request.parameters
        if let t = p.temperature { pairs.append(("temperature", .number(t))) }
        if let n = p.maxTokens { pairs.append(("max_tokens", .number(Double(n)))) }
        if !p.stop.isEmpty { pairs.append(("stop", .array(p.stop.map { .string($0) }))) }
        return JSONValue.object(pairs).serialized()
    }

    /// Parses one chunk (`streamed`) or a whole answer.
    static func parse(_ text: String, streamed: Bool) throws(MalformedResponse) -> ChatCompletionPart {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch {
            throw MalformedResponse(description: "invalid JSON (\(error)): \(text.prefix(160).debugDescription)")
        }
        guard case .object(let root, _) = json else {
            throw MalformedResponse(description: "expected a JSON object, got \(text.prefix(160).debugDescription)")
        }
        var part = ChatCompletionPart()
        if let error = root["error"], error != .null {
            (part.error, part.errorCode) = describe(error)
            return part
        }
        if case .object(let u, _)? = root["usage"] {
            if case .number(let prompt)? = u["prompt_tokens"], case .number(let completion)? = u["completion_tokens"] {
                part.usage = TokenUsage(promptTokens: Int(prompt), completionTokens: Int(completion), estimated: false)
            }
        }
        guard case .array(let choices)? = root["choices"] else {
            // A usage-only chunk may carry `"choices": []` or nothing; an answer must have choices.
            if streamed, part.usage != nil { return part }
            throw MalformedResponse(description: "no \"choices\" array in \(text.prefix(160).debugDescription)")
        }
        guard let first = choices.first else {
            if streamed { return part }
            throw MalformedResponse(description: "an empty \"choices\" array in the answer")
        }
        guard case .object(let choice, _) = first else {
            throw MalformedResponse(description: "choices[0] is not an object in \(text.prefix(160).debugDescription)")
        }
        if case .string(let reason)? = choice["finish_reason"] { part.finishReason = reason }
        let key = streamed ? "delta" : "message"
        switch choice[key] {
        case .object(let message, _)?:
            switch message["content"] {
            case .string(let s)?: part.content = s
            case nil, .null?: break
            case let other?:
                throw MalformedResponse(description: "choices[0].\(key).content is not a string: \(other.serialized().prefix(120))")
            }
        case nil, .null?:
            if !streamed, part.finishReason == nil {
                throw MalformedResponse(description: "choices[0] has no \"message\" in \(text.prefix(160).debugDescription)")
            }
        case let other?:
            throw MalformedResponse(description: "choices[0].\(key) is not an object: \(other.serialized().prefix(120))")
        }
        return part
    }

    /// The message of an error object (`{"message": ..., "code": ...}`, or a bare string).
    static func describe(_ error: JSONValue) -> (String, Int?) {
        switch error {
        case .string(let s): return (s, nil)
        case .object(let o, _):
            var code: Int? = nil
            if case .number(let n)? = o["code"] { code = Int(n) }
            if case .string(let s)? = o["code"], let n = Int(s) { code = n }
            let message = o["message"]?.stringValue ?? error.serialized()
            return (message, code)
        default: return (error.serialized(), nil)
        }
    }

    /// The server's explanation in an error response body: `error.message`, `error` as a
    /// string, `message`, `detail` (FastAPI), or the start of the body as text.
    static func errorMessage(fromBody body: String) -> String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if case .object(let o, _)? = try? JSONParser.parse(trimmed) {
            if let error = o["error"], error != .null { return describe(error).0 }
            if let m = o["message"]?.stringValue { return m }
            if let d = o["detail"] { return d.textValue.prefix(300).description }
        }
        return trimmed.isEmpty ? "(empty body)" : String(trimmed.prefix(300))
    }
}

/// Lore's token estimates where a server reports no usage: about one token per four UTF-8
/// bytes (rounded up), which is close for English with BPE vocabularies.
enum TokenEstimate {
    /// Tokens of `text`.
    static func tokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// Tokens of the prompt's messages.
    static func prompt(_ messages: [ChatMessage]) -> Int { messages.reduce(0) { $0 + tokens($1.content) } }
}
