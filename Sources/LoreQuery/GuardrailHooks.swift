import LoreCore
import LoreRetrieval

/// Something a guardrail found: which rule, what it did, and a detail safe to log
/// (never raw personal data).
public struct GuardFinding: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable { case block, redact, flag, drop, remove, replace, allow }
    public var stage: String
    public var rule: String
    public var action: Action
    public var detail: String
    public var score: Double?

    public init(stage: String, rule: String, action: Action, detail: String, score: Double? = nil) {
        self.stage = stage
        self.rule = rule
        self.action = action
        self.detail = detail
        self.score = score
    }
}

/// What an input guard decided about the question.
public struct InputVerdict: Sendable {
    /// The question to use (possibly redacted).
    public var question: String
    /// When set, the pipeline stops and answers this instead (a block).
    public var blockedAnswer: String?
    public var findings: [GuardFinding]
    /// The conversation to send on (possibly redacted); nil keeps it as it was.
    public var history: [ChatMessage]?

    public init(question: String, blockedAnswer: String? = nil, findings: [GuardFinding] = [], history: [ChatMessage]? = nil) {
        self.question = question
        self.blockedAnswer = blockedAnswer
        self.findings = findings
        self.history = history
    }
}

/// What a context guard decided about the retrieved passages.
public struct ContextVerdict: Sendable {
    /// The passages the model may see, in order.
    public var passages: [Passage]
    /// How many were withheld (the answer says so).
    public var withheld: Int
    public var findings: [GuardFinding]

    public init(passages: [Passage], withheld: Int = 0, findings: [GuardFinding] = []) {
        self.passages = passages
        self.withheld = withheld
        self.findings = findings
    }
}

/// What an output guard decided about the finished answer.
public struct OutputVerdict: Sendable {
    /// The answer to return (possibly redacted or replaced).
    public var answer: String
    public var findings: [GuardFinding]

    public init(answer: String, findings: [GuardFinding] = []) {
        self.answer = answer
        self.findings = findings
    }
}

/// What a guard knows about the request it checks (for its audit trail).
public struct GuardContext: Sendable, Equatable {
    public var requestID: String
    /// The answer template, `name@version` (with its hash after `#`).
    public var prompt: String

    public init(requestID: String, prompt: String = "") {
        self.requestID = requestID
        self.prompt = prompt
    }
}

/// Filters an answer's text as it streams, before any of it leaves the process: text is
/// held back until the filter can decide about it (for example until a sentence or a
/// token is complete), then released changed or unchanged.
public protocol OutputStreamFilter: AnyObject, Sendable {
    /// Takes the next delta; returns the text that may go out now (possibly empty).
    func push(_ delta: String) -> String
    /// The end of the answer: returns the rest of the text, and what the filter found
    /// over the whole answer.
    func finish() -> (text: String, findings: [GuardFinding])
}

/// The pipeline's three guardrail hook points. Lore's guardrails (`LoreGuardrails`)
/// implement them; `PassThroughGuards` allows everything.
public protocol QueryGuards: Sendable {
    /// Before retrieval: the user's question and the conversation.
    func checkInput(_ question: String, history: [ChatMessage], context: GuardContext) async -> InputVerdict
    /// Whether `checkQuestion` reads the question's embedding: the pipeline then embeds the
    /// (possibly redacted) question once, before retrieval, and retrieval reuses the vector.
    var wantsQuestionVector: Bool { get }
    /// After `checkInput` allowed the question: checks that need its embedding (`vector`,
    /// nil when the pipeline has no embedder), such as a learned injection classifier.
    func checkQuestion(_ question: String, vector: [Float]?, context: GuardContext) async -> InputVerdict
    /// After retrieval, before the prompt: the passages that would reach the model.
    func checkContext(_ passages: [Passage], context: GuardContext) async -> ContextVerdict
    /// A filter for the answer's deltas given `sources` (nil: deltas go out as they come).
    func outputFilter(sources: [ContextSource], context: GuardContext) -> (any OutputStreamFilter)?
    /// After generation: the whole answer (after the stream filter) and the sources it was
    /// given. A changed answer is sent as the final answer.
    func checkOutput(_ answer: String, sources: [ContextSource], sufficientContext: Bool, context: GuardContext) async -> OutputVerdict
}

extension QueryGuards {
    public var wantsQuestionVector: Bool { false }
    public func checkQuestion(_ question: String, vector: [Float]?, context: GuardContext) async -> InputVerdict {
        InputVerdict(question: question)
    }
}

/// Guards that allow everything.
public struct PassThroughGuards: QueryGuards {
    public init() {}
    public func checkInput(_ question: String, history: [ChatMessage], context: GuardContext) async -> InputVerdict {
        InputVerdict(question: question)
    }
    public func checkContext(_ passages: [Passage], context: GuardContext) async -> ContextVerdict {
        ContextVerdict(passages: passages)
    }
    public func outputFilter(sources: [ContextSource], context: GuardContext) -> (any OutputStreamFilter)? { nil }
    public func checkOutput(_ answer: String, sources: [ContextSource], sufficientContext: Bool, context: GuardContext) async
        -> OutputVerdict
    {
        OutputVerdict(answer: answer)
    }
}
