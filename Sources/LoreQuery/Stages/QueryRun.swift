import Foundation
import LoreCore
import LorePrompts

/// What one query carries from stage to stage: the request, the chosen prompt and backend,
/// the question as the stages have rewritten it, the findings and the timings so far, and
/// the response being built. Each stage of `QueryService` reads it and adds to it.
public struct QueryRun {
    public let request: QueryRequest
    public let requestID: String
    public let started: DispatchTime
    public let template: PromptTemplate
    public let guardContext: GuardContext
    /// The backend answering (the fallback's name once it took over).
    public var backendName: String
    /// The question after the input guard (redacted).
    public var question: String
    /// The conversation after the input guard.
    public var history: [ChatMessage]
    /// The question's embedding when the input guard computed it (retrieval reuses it).
    public var questionVector: [Float]? = nil
    /// The question retrieval searches for: the question, or a follow-up condensed.
    public var standalone: String
    public var timings = QueryTimings()
    public var findings: [GuardFinding] = []
    /// The chunks retrieval returned, best first (for the request log).
    public var retrievedChunks: [Int64] = []
    /// The response as far as the stages have filled it in.
    public var response: QueryResponse
    let emit: @Sendable (QueryEvent) -> Void

    /// Validates the request (question, retrieval options, prompt, backend) and starts the run.
    public init(_ request: QueryRequest, prompts: PromptRegistry, backend: String, emit: @escaping @Sendable (QueryEvent) -> Void) throws {
        started = DispatchTime.now()
        self.request = request
        requestID = request.requestID.isEmpty ? QueryService.newRequestID() : request.requestID
        let question = request.question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else { throw QueryError(.invalidRequest, "question: must not be empty") }
        try request.retrieval.validate()
        do {
            template = try prompts.select(request.prompt ?? KnownPrompts.answer, key: request.userKey ?? request.conversationID)
        } catch { throw QueryError(.prompt, "prompt \(request.prompt ?? KnownPrompts.answer): \(error)") }
        guard template.name == KnownPrompts.answer else {
            throw QueryError(.invalidRequest, "prompt \(template.reference): only answer templates can answer questions")
        }
        guardContext = GuardContext(requestID: requestID, prompt: "\(template.name)@\(template.version)#\(template.hash)")
        backendName = backend
        self.question = question
        history = request.history
        standalone = question
        self.emit = emit
        let info = PromptInfo(name: template.name, version: template.version, hash: template.hash)
        response = QueryResponse(
            requestID: requestID, question: question, standaloneQuestion: question, answer: "", citations: [], prompt: info,
            backend: backend, model: "", mode: request.retrieval.mode.rawValue,
            usage: .none, timingsMs: QueryTimings(),
            finishReason: "stop", problem: nil, insufficientContext: false, refused: false, withheldSources: 0,
            guardrailFindings: [], conversationID: request.conversationID, attributedCitations: 0)
    }

    /// Records guardrail findings and tells the client about them.
    mutating func report(_ found: [GuardFinding]) {
        findings += found
        if !found.isEmpty { emit(.guardrail(found)) }
    }

    /// Runs `body`, adding its wall time to the guardrails' timing.
    mutating func timingGuards<T>(_ body: () async throws -> T) async rethrows -> T {
        let t = DispatchTime.now()
        defer { timings.guardrails += QueryService.ms(since: t) }
        return try await body()
    }
}
