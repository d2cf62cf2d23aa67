import LoreCore
import LorePrompts
import LoreRetrieval

/// One question to the pipeline.
public struct QueryRequest: Sendable {
    public var question: String
    /// Earlier turns of the conversation, oldest first (user and assistant messages).
    public var history: [ChatMessage]
    public var retrieval: RetrievalOptions
    /// `name@version` to pin a template, or nil for `answer` (default version or A/B split).
    public var prompt: String?
    /// A user or session id: keeps the A/B split sticky.
    public var userKey: String?
    public var conversationID: String?
    /// A generation backend name, or nil for the configured default.
    public var backend: String?
    /// Ask the backend to stream (the events stream either way).
    public var stream: Bool
    public var requestID: String
    /// Sampling settings that override the template's (`nil` and an empty `stop` keep the
    /// template's): an API client's `temperature`, `max_tokens` and `stop`. Only LLM
    /// backends use them; the extractive answerer has nothing to sample.
    public var overrides: GenerationParameters
    /// Who asked (the request log's channel, key and trace).
    public var origin: RequestOrigin

    public init(
        question: String, history: [ChatMessage] = [], retrieval: RetrievalOptions = RetrievalOptions(),
        prompt: String? = nil, userKey: String? = nil, conversationID: String? = nil, backend: String? = nil,
        stream: Bool = true, requestID: String = "", overrides: GenerationParameters = GenerationParameters(),
        origin: RequestOrigin = RequestOrigin()
    ) {
        self.question = question
        self.history = history
        self.retrieval = retrieval
        self.prompt = prompt
        self.userKey = userKey
        self.conversationID = conversationID
        self.backend = backend
        self.stream = stream
        self.requestID = requestID
        self.overrides = overrides
        self.origin = origin
    }
}

/// A numbered source given to the answer writer, as answers show it.
public struct Citation: Sendable, Equatable, Codable {
    public var n: Int
    public var source: String
    public var title: String
    public var headingPath: String
    /// The best-ranked chunk; `chunkIDs` lists every chunk merged into the passage.
    public var chunkID: Int64
    public var chunkIDs: [Int64]
    /// The retrieval score that ranked it (RRF).
    public var score: Double
    /// Cosine similarity to the question, when vectors exist.
    public var relevance: Double?
    public var snippet: String
    /// Whether the answer cites it.
    public var cited: Bool
    /// The 1-based page of a paginated source (a PDF), when known.
    public var page: Int? = nil
    /// The 1-based slide of a presentation (PPTX, ODP).
    public var slide: Int? = nil
    /// The sheet of a spreadsheet (XLSX, ODS).
    public var sheet: String? = nil

    enum CodingKeys: String, CodingKey {
        case n, source, title, headingPath = "heading_path", chunkID = "chunk_id", chunkIDs = "chunk_ids", score, relevance, snippet, cited
        case page, slide, sheet
    }

    public init(
        n: Int, source: String, title: String, headingPath: String, chunkID: Int64, chunkIDs: [Int64], score: Double, relevance: Double?,
        snippet: String, cited: Bool, page: Int? = nil, slide: Int? = nil, sheet: String? = nil
    ) {
        self.n = n
        self.source = source
        self.title = title
        self.headingPath = headingPath
        self.chunkID = chunkID
        self.chunkIDs = chunkIDs
        self.score = score
        self.relevance = relevance
        self.snippet = snippet
        self.cited = cited
        self.page = page
        self.slide = slide
        self.sheet = sheet
    }

    /// Where in its document a passage is, by format: a presentation's chunks keep their
    /// slide number as the page, a spreadsheet's their sheet as the heading path's first part.
    public static func location(format: String, page: Int?, headingPath: String) -> (page: Int?, slide: Int?, sheet: String?) {
        switch format {
        case "pptx", "odp": return (nil, page, nil)
        case "xlsx", "ods":
            let sheet = headingPath.components(separatedBy: " > ").first ?? ""
            return (nil, nil, sheet.isEmpty ? nil : sheet)
        default: return (page, nil, nil)
        }
    }

    /// `p. 3`, `slide 2` or `sheet Totals`, for people; nil when the source has none.
    public var location: String? {
        if let page { return "p. \(page)" }
        if let slide { return "slide \(slide)" }
        if let sheet { return "sheet \(sheet)" }
        return nil
    }
}

/// The prompt behind an answer.
public struct PromptInfo: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    public var hash: String
}

/// Milliseconds per stage.
public struct QueryTimings: Sendable, Equatable, Codable {
    public var condense = 0.0
    public var embed = 0.0
    public var retrieve = 0.0
    public var generate = 0.0
    public var firstToken: Double?
    /// Time spent in the guardrails (input, context, the stream filter and output).
    public var guardrails = 0.0
    public var total = 0.0

    enum CodingKeys: String, CodingKey { case condense, embed, retrieve, generate, firstToken = "first_token", guardrails, total }
}

/// A finished answer: what `lore query --json` prints and the HTTP API returns.
public struct QueryResponse: Sendable, Equatable, Codable {
    public var requestID: String
    public var question: String
    /// The question retrieval used (the condensed one in a conversation).
    public var standaloneQuestion: String
    public var answer: String
    public var citations: [Citation]
    public var prompt: PromptInfo
    public var backend: String
    public var model: String
    public var mode: String
    public var usage: TokenUsage
    public var timingsMs: QueryTimings
    /// `stop`, `length`, `incomplete` (the stream broke: a partial answer), `refused` or `blocked`.
    public var finishReason: String
    /// Set when `finishReason` is `incomplete`: what broke.
    public var problem: String?
    /// The retrieved context was below the relevance threshold (the answer is a refusal).
    public var insufficientContext: Bool
    public var refused: Bool
    /// Sources withheld by the context guard.
    public var withheldSources: Int
    public var guardrailFindings: [GuardFinding]
    public var conversationID: String?
    /// Citations Lore added to sentences the model left uncited (see `CitationAttributor`).
    public var attributedCitations: Int
    /// Set when the chosen backend was unreachable and `generation.fallback` answered
    /// instead: the backend that failed (`backend` is the one that answered).
    public var fallbackFrom: String? = nil

    enum CodingKeys: String, CodingKey {
        case attributedCitations = "attributed_citations", fallbackFrom = "fallback_from"
        case requestID = "request_id", question, standaloneQuestion = "standalone_question", answer, citations, prompt, backend
        case model, mode, usage, timingsMs = "timings_ms", finishReason = "finish_reason", problem
        case insufficientContext = "insufficient_context", refused, withheldSources = "withheld_sources"
        case guardrailFindings = "guardrail_findings", conversationID = "conversation_id"
    }
}

/// The pipeline's progress, in order: `retrieval` once, `delta`s, `guardrail` findings
/// when any, then `done`.
public enum QueryEvent: Sendable {
    case retrieval([Citation])
    case delta(String)
    case guardrail([GuardFinding])
    case done(QueryResponse)
}

/// A query that cannot run: bad parameters, an unknown backend or prompt, a failed backend.
public struct QueryError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case invalidRequest = "invalid_request", backend, retrieval, prompt
        /// The generation backend could not be reached (connection refused, every backend's
        /// circuit open): the HTTP API answers 503.
        case backendUnavailable = "backend_unavailable"
    }
    public var kind: Kind
    public var description: String
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
