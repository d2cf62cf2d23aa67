import LoreCore
import LoreQuery
import LoreRetrieval

/// What the chat changes per question with `/k`, `/mode`, `/prompt` and `/backend` (nil:
/// the source's default).
public struct ChatSettings: Sendable, Equatable {
    public var k: Int?
    public var mode: RetrievalMode?
    /// `NAME@VERSION` (or `NAME`) of an answer template.
    public var prompt: String?
    public var backend: String?

    public init(k: Int? = nil, mode: RetrievalMode? = nil, prompt: String? = nil, backend: String? = nil) {
        self.k = k
        self.mode = mode
        self.prompt = prompt
        self.backend = backend
    }
}

/// One turn as the chat asks it: the new question, the conversation so far and its id.
public struct ChatQuery: Sendable {
    public var question: String
    /// Earlier turns, oldest first (the pipeline condenses a follow-up with them).
    public var history: [ChatMessage]
    public var conversationID: String
    public var settings: ChatSettings

    public init(question: String, history: [ChatMessage], conversationID: String, settings: ChatSettings) {
        self.question = question
        self.history = history
        self.conversationID = conversationID
        self.settings = settings
    }
}

/// Where the chat's answers come from: the query pipeline in this process, or a running
/// `lore serve` (`POST /v1/query` with server-sent events). Both stream the pipeline's
/// `QueryEvent`s; cancelling the consuming task stops the answer (and closes the HTTP
/// stream).
public protocol AnswerSource: Sendable {
    /// Where answers come from, for the banner (`in-process: lore.db, collection default`).
    var label: String { get }

    /// The events of one answer: `retrieval`, `delta`s, `guardrail` findings, `done`.
    /// A failure before the answer is done is thrown from the stream as a `ChatFailure`.
    func answer(_ query: ChatQuery) -> AsyncThrowingStream<QueryEvent, any Error>

    /// The whole text of a cited passage (`/open N`): every chunk merged into it.
    /// `standaloneQuestion` and `settings` are those the answer was retrieved with.
    func passageText(_ citation: Citation, standaloneQuestion: String, settings: ChatSettings) async throws -> String

    /// Checks settings before they are used (an unknown backend or prompt), when the source
    /// can tell; throws a `ChatFailure` whose code is the setting (`backend`, `prompt`, `k`,
    /// `mode`).
    func check(_ settings: ChatSettings) async throws

    /// Rates the answer of request `requestID` (1 good, -1 bad), with an optional comment
    /// (`/good`, `/bad`); throws a `ChatFailure` when the rating cannot be recorded.
    func rate(requestID: String, rating: Int, comment: String?) async throws
}

extension AnswerSource {
    public func check(_ settings: ChatSettings) async throws {}

    public func rate(requestID: String, rating: Int, comment: String?) async throws {
        throw ChatFailure(code: "feedback", "this chat keeps no request log to rate answers in")
    }
}

/// A failure the chat shows and survives: a backend down, a server's 4xx or 5xx, a bad
/// setting.
public struct ChatFailure: Error, Sendable, CustomStringConvertible, Equatable {
    /// The HTTP status when a server answered one.
    public var status: Int?
    /// A machine-readable code (`rate_limited`, `backend_failed`, `unreachable`, ...).
    public var code: String
    public var message: String

    public init(status: Int? = nil, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String {
        if let status { return "\(message) (HTTP \(status), \(code))" }
        return message
    }
}
