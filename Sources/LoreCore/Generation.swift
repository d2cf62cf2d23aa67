/// The contract between the query pipeline and whatever writes the answer: an LLM behind an
/// OpenAI-compatible server (LoreGenerate) or the embedded extractive answerer (LoreQuery).

/// One message of a conversation, as chat-completions APIs take them.
public struct ChatMessage: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable { case system, user, assistant }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// Sampling settings; `nil` leaves the backend's default.
public struct GenerationParameters: Sendable, Equatable, Codable {
    public var temperature: Double?
    public var maxTokens: Int?
    public var stop: [String]

    public init(temperature: Double? = nil, maxTokens: Int? = nil, stop: [String] = []) {
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.stop = stop
    }
}

/// A retrieved source as the answer writer sees it: numbered from 1 in the order given.
public struct ContextSource: Sendable, Equatable {
    /// The citation number, `[n]`.
    public var number: Int
    public var chunkID: Int64
    public var source: String
    public var title: String
    public var headingPath: String
    public var text: String
    /// The retrieval score that ranked it (fused or similarity; higher is better).
    public var score: Double

    public init(number: Int, chunkID: Int64, source: String, title: String, headingPath: String, text: String, score: Double) {
        self.number = number
        self.chunkID = chunkID
        self.source = source
        self.title = title
        self.headingPath = headingPath
        self.text = text
        self.score = score
    }
}

/// What a generator is asked: the rendered chat messages (for LLMs) together with the
/// question and its numbered sources (for generators that work on the sources directly).
public struct GenerationRequest: Sendable {
    public var messages: [ChatMessage]
    public var parameters: GenerationParameters
    /// The standalone question the sources were retrieved for.
    public var question: String
    public var sources: [ContextSource]
    /// Correlates logs and metrics across the pipeline.
    public var requestID: String
    /// Stream deltas as they come (true) or ask the backend for one complete answer (false).
    /// Either way the generator's output is an `AsyncThrowingStream`.
    public var stream: Bool
    /// `question`'s embedding, when retrieval made one (`questionModel` made it): a generator
    /// that ranks by embedding need not embed the question again.
    public var questionVector: [Float]?
    public var questionModel: String?

    public init(
        messages: [ChatMessage], parameters: GenerationParameters = .init(), question: String = "",
        sources: [ContextSource] = [], requestID: String = "", stream: Bool = true,
        questionVector: [Float]? = nil, questionModel: String? = nil
    ) {
        self.messages = messages
        self.parameters = parameters
        self.question = question
        self.sources = sources
        self.requestID = requestID
        self.stream = stream
        self.questionVector = questionVector
        self.questionModel = questionModel
    }
}

/// Token counts for one generation.
public struct TokenUsage: Sendable, Equatable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// True when the backend reported no usage and these are Lore's estimates.
    public var estimated: Bool
    /// What the answer cost at the backend's configured prices (`TokenPrice`); nil when
    /// the backend has no price.
    public var cost: Double?

    public var totalTokens: Int { promptTokens + completionTokens }

    public init(promptTokens: Int, completionTokens: Int, estimated: Bool, cost: Double? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.estimated = estimated
        self.cost = cost
    }

    /// The OpenAI-style JSON form: `prompt_tokens`, `completion_tokens`, `total_tokens`,
    /// `estimated`, and `cost` when priced.
    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens", estimated, cost
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            promptTokens: try c.decode(Int.self, forKey: .promptTokens),
            completionTokens: try c.decode(Int.self, forKey: .completionTokens),
            estimated: try c.decodeIfPresent(Bool.self, forKey: .estimated) ?? false,
            cost: try c.decodeIfPresent(Double.self, forKey: .cost))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        try c.encode(estimated, forKey: .estimated)
        try c.encodeIfPresent(cost, forKey: .cost)
    }

    /// Nothing generated.
    public static let none = TokenUsage(promptTokens: 0, completionTokens: 0, estimated: true)
}

/// A backend's prices (`generation.backends[].price`), per million tokens, in whatever
/// currency the configuration uses.
public struct TokenPrice: Sendable, Equatable, Codable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The cost of `usage` at these prices.
    public func cost(of usage: TokenUsage) -> Double {
        (Double(usage.promptTokens) * inputPerMillion + Double(usage.completionTokens) * outputPerMillion) / 1_000_000
    }

    enum CodingKeys: String, CodingKey { case inputPerMillion = "input_per_million", outputPerMillion = "output_per_million" }
}

/// Why generation ended.
public enum FinishReason: String, Sendable, Equatable, Codable {
    /// The model finished (or hit a stop sequence).
    case stop
    /// The model hit `maxTokens`.
    case length
    /// The stream broke after some text had arrived: the answer is partial.
    case incomplete
}

/// The end of a generation: which backend wrote it, its usage and why it stopped.
public struct GenerationSummary: Sendable, Equatable {
    public var backend: String
    public var model: String
    public var usage: TokenUsage
    public var finishReason: FinishReason
    /// Set with `.incomplete`: what broke the stream.
    public var problem: String?
    /// Seconds from the request to the first text delta (nil when no text came).
    public var timeToFirstToken: Double?

    public init(
        backend: String, model: String, usage: TokenUsage, finishReason: FinishReason,
        problem: String? = nil, timeToFirstToken: Double? = nil
    ) {
        self.backend = backend
        self.model = model
        self.usage = usage
        self.finishReason = finishReason
        self.problem = problem
        self.timeToFirstToken = timeToFirstToken
    }
}

/// One event of a generation stream: zero or more deltas, then exactly one `.finished`.
public enum GenerationEvent: Sendable, Equatable {
    case delta(String)
    case finished(GenerationSummary)
}

/// Writes answers. A generation either throws `GenerationError` before any delta (nothing
/// was produced), or yields deltas and ends with `.finished` (possibly `.incomplete`).
public protocol Generator: Sendable {
    /// The backend's configured name (`extractive`, `local-llama`, ...).
    var name: String { get }
    func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error>
}

/// Why a generation produced nothing. The message names the backend and what went wrong.
public struct GenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The connection was refused or could not be made in time.
        case connect
        /// No first token within the time-to-first-token limit, or the request timed out.
        case timeout
        /// The server answered with an HTTP error status.
        case status
        /// The response could not be parsed (bad JSON, bad SSE).
        case malformed
        /// Every backend is failing (circuit open) or none is configured.
        case unavailable
        /// The request itself is invalid (rejected before sending).
        case invalidRequest = "invalid-request"
    }
    public var kind: Kind
    public var backend: String
    public var message: String
    /// The HTTP status, for `.status`.
    public var status: Int?

    public init(_ kind: Kind, backend: String, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.backend = backend
        self.message = message
        self.status = status
    }

    public var description: String { "generation backend \(backend): \(message)" }

    /// Whether another attempt (on this or another backend) could succeed.
    public var isRetryable: Bool {
        switch kind {
        case .connect, .timeout, .unavailable: return true
        case .status: return (status ?? 0) >= 500 || status == 429
        case .malformed, .invalidRequest: return false
        }
    }
}
