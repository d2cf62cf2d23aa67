import Foundation
import LoreCore
import LorePrompts
import LoreQuery

/// The body of `POST /v1/query`:
///
/// ```json
/// {"collection": "default", "question": "...", "k": 5, "fetch_k": 20, "lambda": 0.5, "min_relevance": 0.35,
///  "mode": "hybrid", "filters": {"collection": "default", "source": "docs/*.md",
///  "format": ["md", "txt"], "metadata": {"team": "db"}},
///  "prompt": "answer@v2", "backend": "extractive", "conversation_id": "c1", "user": "u1",
///  "history": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}],
///  "stream": false}
/// ```
/// Only `question` is required.
struct QueryBody {
    static let names = RetrievalFields.names.union(["prompt", "backend", "conversation_id", "user", "history", "stream"])

    var request: QueryRequest
    var stream: Bool

    /// Reads `body` (parsed with `names`) against the collection it names.
    init(_ body: JSONFields, served: ServedCollection, requestID: String, origin: RequestOrigin = RequestOrigin()) throws(APIError) {
        let question = try RetrievalFields.question(body)
        let options = try RetrievalFields.options(body, served: served)
        let prompt = try body.string("prompt")
        let backend = try body.string("backend")
        let history = try Self.history(body)
        stream = try body.bool("stream") ?? false
        request = QueryRequest(
            question: question, history: history, retrieval: options, prompt: prompt,
            userKey: try body.string("user"), conversationID: try body.string("conversation_id"),
            backend: backend, stream: stream, requestID: requestID, origin: origin)
        try Self.check(request, service: served.service)
    }

    static func history(_ body: JSONFields) throws(APIError) -> [ChatMessage] {
        guard let items = try body.array("history") else { return [] }
        var out: [ChatMessage] = []
        for (i, item) in items.enumerated() {
            let m = try JSONFields(item, path: "history[\(i)]", allowed: ["role", "content"])
            guard let role = try m.string("role") else { throw APIError.invalidRequest("history[\(i)].role: required") }
            guard let r = ChatMessage.Role(rawValue: role), r != .system else {
                throw APIError.invalidRequest("history[\(i)].role: must be user or assistant, not \(role)")
            }
            guard let content = try m.string("content") else { throw APIError.invalidRequest("history[\(i)].content: required") }
            out.append(ChatMessage(r, content))
        }
        return out
    }

    /// What the pipeline would refuse before any text, checked before a stream starts so
    /// that it is a 4xx rather than an `error` event: the backend and the prompt. `prefix`
    /// is the path of the object holding those fields (`lore.` in a chat completion).
    static func check(_ request: QueryRequest, service: QueryService, prefix: String = "") throws(APIError) {
        if let backend = request.backend, service.generators[backend] == nil {
            throw APIError.invalidRequest(
                "\(prefix)backend: unknown backend \(backend); configured are \(service.generators.keys.sorted().joined(separator: ", "))")
        }
        if let prompt = request.prompt {
            let template: PromptTemplate
            do { template = try service.prompts.select(prompt, key: request.userKey ?? request.conversationID) } catch {
                throw APIError.invalidRequest("\(prefix)prompt: \(error)")
            }
            guard template.name == KnownPrompts.answer else {
                throw APIError.invalidRequest("\(prefix)prompt: \(prompt) is not an answer template")
            }
        }
    }
}
