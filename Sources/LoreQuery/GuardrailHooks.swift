import LoreCore
import LoreRetrieval

/// Something a guardrail found: which rule, what it did, and a detail safe to log
/// (never raw personal data).
public struct GuardFinding: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable { case block, redact, flag, drop, replace, allow }
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

    public init(question: String, blockedAnswer: String? = nil, findings: [GuardFinding] = []) {
        self.question = question
        self.blockedAnswer = blockedAnswer
        self.findings = findings
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

/// The pipeline's three guardrail hook points. Lore's guardrails (a separate module)
/// implement them; `PassThroughGuards` allows everything.
public protocol QueryGuards: Sendable {
    /// Before retrieval: the user's question (and the conversation).
    func checkInput(_ question: String, history: [ChatMessage], requestID: String) async -> InputVerdict
    /// After retrieval, before the prompt: the passages that would reach the model.
    func checkContext(_ passages: [Passage], requestID: String) async -> ContextVerdict
    /// After generation: the whole answer and the sources it was given. While streaming,
    /// deltas have already gone out; a changed answer is sent as the final answer.
    func checkOutput(_ answer: String, sources: [ContextSource], sufficientContext: Bool, requestID: String) async -> OutputVerdict
}

/// Guards that allow everything (the default until guardrails are configured).
public struct PassThroughGuards: QueryGuards {
    public init() {}
    public func checkInput(_ question: String, history: [ChatMessage], requestID: String) async -> InputVerdict {
        InputVerdict(question: question)
    }
    public func checkContext(_ passages: [Passage], requestID: String) async -> ContextVerdict {
        ContextVerdict(passages: passages)
    }
    public func checkOutput(_ answer: String, sources: [ContextSource], sufficientContext: Bool, requestID: String) async -> OutputVerdict {
        OutputVerdict(answer: answer)
    }
}
