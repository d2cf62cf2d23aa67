import Foundation
import LoreCore
import LoreQuery

/// The body of `POST /v1/chat/completions`, read strictly into a `QueryRequest`.
///
/// - Honoured: `model` (a pipeline of `ModelCatalog`), `messages`, `stream`,
///   `stream_options.include_usage`, `n` (only 1), `user` (keeps an A/B prompt split
///   sticky), and `temperature`, `max_tokens` / `max_completion_tokens` (the latter wins)
///   and `stop`, which override the prompt template's parameters on LLM backends (the
///   extractive answerer has nothing to sample).
/// - Accepted and ignored (type-checked): `top_p`, `seed`, `presence_penalty`,
///   `frequency_penalty`, `logit_bias`, `metadata`, `store`, `service_tier`,
///   `parallel_tool_calls`; `response_format` with type `text` only; `logprobs` false only.
/// - Messages: the last must be `user` (its text is the question); earlier `user` and
///   `assistant` turns are the conversation's history (a follow-up is condensed). `system`
///   and `developer` messages are accepted but not forwarded: Lore's versioned prompt
///   templates govern the answer (the response's `lore.ignored_system_messages` counts
///   them). `content` is a string or an array of `{"type": "text", "text": ...}` parts.
/// - The `lore` extension object: `collection`, `k`, `fetch_k`, `lambda`, `min_relevance`,
///   `mode`, `filters` (as `/v1/query`), `prompt`, `backend`, `conversation_id`.
///
/// Any other field, a wrong type or an out-of-range value is a 400 naming the field.
struct ChatCompletionRequest {
    static let names: Set<String> = [
        "model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens", "max_completion_tokens", "n",
        "stop", "user", "seed", "presence_penalty", "frequency_penalty", "response_format", "logprobs", "logit_bias",
        "metadata", "store", "service_tier", "parallel_tool_calls", "lore"
    ]
    static let extensionNames = RetrievalFields.names.subtracting(["question"]).union(["prompt", "backend", "conversation_id"])
    /// Stop sequences a request may give (as OpenAI).
    static let maxStops = 4

    /// The model id as the client named it (echoed in the response).
    var model: String
    var query: QueryRequest
    var stream: Bool
    var includeUsage: Bool
    /// `system`/`developer` messages accepted and not forwarded.
    var ignoredSystemMessages: Int

    /// The `lore` extension (an empty one when absent), for the collection and retrieval fields.
    static func extensionFields(_ body: JSONFields) throws(APIError) -> JSONFields {
        try body.object("lore", allowed: extensionNames) ?? JSONFields(.object([:], keys: []), path: "lore", allowed: extensionNames)
    }

    /// Reads `body` (parsed with `names`) against the collection its `lore` extension names.
    init(_ body: JSONFields, served: ServedCollection, requestID: String, origin: RequestOrigin = RequestOrigin()) throws(APIError) {
        guard let model = try body.string("model"), !model.isEmpty else { throw APIError.invalidRequest("model: required") }
        let lore = try Self.extensionFields(body)
        let messages = try Self.messages(body)
        stream = try body.bool("stream") ?? false
        includeUsage = try body.object("stream_options", allowed: ["include_usage"])?.bool("include_usage") ?? false
        if let n = try body.int("n", in: 1...128), n != 1 { throw APIError.invalidRequest("n: only 1 choice is supported, got \(n)") }
        let temperature = try body.double("temperature", in: 0...2)
        let maxTokens = try body.int("max_tokens", in: 1...1_000_000)
        let maxCompletionTokens = try body.int("max_completion_tokens", in: 1...1_000_000)
        let stop = try body.strings("stop") ?? []
        guard stop.count <= Self.maxStops else {
            throw APIError.invalidRequest("stop: at most \(Self.maxStops) sequences, got \(stop.count)")
        }
        try Self.checkIgnored(body)

        // The model picks the prompt and backend; the extension may only agree with it.
        let pipeline = try ModelCatalog(service: served.service).model(model, kind: .chat)
        let prompt = try Self.agreeing(pipeline.prompt, try lore.string("prompt"), field: "lore.prompt", model: model)
        let backend = try Self.agreeing(pipeline.backend, try lore.string("backend"), field: "lore.backend", model: model)

        self.model = model
        ignoredSystemMessages = messages.ignored
        query = QueryRequest(
            question: messages.question, history: messages.history,
            retrieval: try RetrievalFields.options(lore, served: served), prompt: prompt,
            userKey: try body.string("user"), conversationID: try lore.string("conversation_id"), backend: backend,
            stream: stream, requestID: requestID,
            overrides: GenerationParameters(temperature: temperature, maxTokens: maxCompletionTokens ?? maxTokens, stop: stop),
            origin: origin)
        try QueryBody.check(query, service: served.service, prefix: "lore.")
    }

    /// The model's choice, or the extension's when the model leaves it open; both, differing: 400.
    static func agreeing(_ fromModel: String?, _ fromExtension: String?, field: String, model: String) throws(APIError) -> String? {
        if let fromModel, let fromExtension, fromModel != fromExtension {
            throw APIError.invalidRequest(
                "\(field): \(fromExtension) differs from model \(model)'s \(fromModel); use lore-default to choose freely")
        }
        return fromModel ?? fromExtension
    }

    /// Fields accepted for compatibility and not used, checked for their types.
    static func checkIgnored(_ body: JSONFields) throws(APIError) {
        _ = try body.double("top_p", in: 0...1)
        _ = try body.int("seed", in: -(1 << 53)...(1 << 53))
        _ = try body.double("presence_penalty", in: -2...2)
        _ = try body.double("frequency_penalty", in: -2...2)
        _ = try body.textMap("logit_bias")
        _ = try body.textMap("metadata")
        _ = try body.bool("store")
        _ = try body.string("service_tier")
        _ = try body.bool("parallel_tool_calls")
        if try body.bool("logprobs") == true {
            throw APIError.invalidRequest("logprobs: not supported (Lore's answers carry no token log probabilities)")
        }
        if let format = try body.object("response_format", allowed: ["type", "json_schema"]) {
            let type = try format.string("type") ?? "text"
            guard type == "text" else {
                throw APIError.invalidRequest("response_format.type: only text is supported, not \(type) (Lore answers in cited prose)")
            }
        }
    }

    /// The question (the last message, which must be `user`), the history before it, and
    /// how many system messages were left out.
    static func messages(_ body: JSONFields) throws(APIError) -> (question: String, history: [ChatMessage], ignored: Int) {
        guard let items = try body.array("messages") else { throw APIError.invalidRequest("messages: required") }
        guard !items.isEmpty else { throw APIError.invalidRequest("messages: must not be empty") }
        var turns: [ChatMessage] = []
        var ignored = 0
        var lastRole = ""
        for (i, item) in items.enumerated() {
            let m = try JSONFields(item, path: "messages[\(i)]", allowed: ["role", "content", "name"])
            guard let role = try m.string("role") else { throw APIError.invalidRequest("messages[\(i)].role: required") }
            _ = try m.string("name")
            let text = try content(m, index: i)
            switch role {
            case "system", "developer": ignored += 1
            case "user": turns.append(ChatMessage(.user, text))
            case "assistant": turns.append(ChatMessage(.assistant, text))
            default:
                throw APIError.invalidRequest(
                    "messages[\(i)].role: must be system, developer, user or assistant, not \(role) (Lore calls no tools)")
            }
            lastRole = role
        }
        let last = items.count - 1
        guard lastRole == "user", let question = turns.last else {
            throw APIError.invalidRequest(
                "messages[\(last)].role: the last message must be user (its text is the question), not \(lastRole)")
        }
        guard !question.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.invalidRequest("messages[\(last)].content: must not be empty (it is the question)")
        }
        return (question.content, Array(turns.dropLast()), ignored)
    }

    /// A message's text: a string, or the text parts of an array joined by line breaks.
    static func content(_ m: JSONFields, index i: Int) throws(APIError) -> String {
        let field = "messages[\(i)].content"
        guard let value = m.values["content"], value != .null else { throw APIError.invalidRequest("\(field): required") }
        switch value {
        case .string(let s): return s
        case .array(let parts):
            var texts: [String] = []
            for (j, part) in parts.enumerated() {
                guard case .object(let dict, _) = part else {
                    throw APIError.invalidRequest("\(field)[\(j)]: expected an object {\"type\": \"text\", \"text\": ...}")
                }
                guard case .string(let type)? = dict["type"] else {
                    throw APIError.invalidRequest("\(field)[\(j)].type: required, and a string")
                }
                guard type == "text" else {
                    throw APIError.invalidRequest("\(field)[\(j)].type: only text parts are supported, not \(type)")
                }
                let p = try JSONFields(part, path: "\(field)[\(j)]", allowed: ["type", "text"])
                guard let text = try p.string("text") else { throw APIError.invalidRequest("\(field)[\(j)].text: required") }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        default:
            throw APIError.invalidRequest("\(field): expected a string or an array of text parts")
        }
    }
}
