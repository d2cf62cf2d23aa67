import LoreCore

/// Where finished requests go (the request log). `QueryService` calls `record` once per
/// answered request, after the output guard, on the request's own task: an implementation
/// queues the request and returns, and never blocks, throws or slows the answer.
public protocol QueryRecorder: Sendable {
    func record(_ answered: AnsweredQuery)
}

/// One finished request as the pipeline saw it.
public struct AnsweredQuery: Sendable {
    public var request: QueryRequest
    /// What the client got (its `question` is the one asked; `standaloneQuestion` and
    /// `answer` are after the guardrails).
    public var response: QueryResponse
    /// The question after the input guard (redacted when the policy redacts).
    public var guardedQuestion: String
    /// Every chunk the retriever returned, best first (empty when the input guard blocked).
    public var retrievedChunks: [Int64]

    public init(request: QueryRequest, response: QueryResponse, guardedQuestion: String, retrievedChunks: [Int64]) {
        self.request = request
        self.response = response
        self.guardedQuestion = guardedQuestion
        self.retrievedChunks = retrievedChunks
    }
}

/// Who asked, for the request log: the channel, the API key, the caller's trace.
public struct RequestOrigin: Sendable, Equatable {
    /// `api` (`/v1/query`), `openai` (`/v1/chat/completions`), `cli` or `chat`.
    public var channel: String
    /// The API key's public id (nil: no key).
    public var keyID: String?
    /// The W3C trace id (32 hex digits) of the caller's `traceparent`, when it sent one.
    public var traceID: String?
    /// The arm that answered under a canary (`primary`, `canary`, or `canary_fallback`: the
    /// candidate failed before any text and the primary answered); nil without a canary.
    public var arm: String? = nil

    public init(channel: String = "api", keyID: String? = nil, traceID: String? = nil) {
        self.channel = channel
        self.keyID = keyID
        self.traceID = traceID
    }
}
