import Foundation
import LoreCore
import LoreQuery

/// One question and what came of it, as `/save` writes it.
public struct ChatTurn: Sendable, Equatable {
    public var question: String
    /// The answer as shown (partial when interrupted).
    public var answer: String
    public var citations: [Citation]
    /// The question retrieval used (the condensed follow-up), when the answer finished.
    public var standaloneQuestion: String?
    /// The settings it was asked with (`/open` retrieves with them again).
    public var settings: ChatSettings
    /// Ctrl-C stopped the answer.
    public var interrupted: Bool
    /// Why there is no (whole) answer: the error shown in the chat.
    public var failure: String?
    /// The request id of the finished answer (what `/good` and `/bad` rate).
    public var requestID: String?

    public init(
        question: String, answer: String, citations: [Citation], standaloneQuestion: String?,
        settings: ChatSettings = ChatSettings(), interrupted: Bool, failure: String?, requestID: String? = nil
    ) {
        self.requestID = requestID
        self.question = question
        self.answer = answer
        self.citations = citations
        self.standaloneQuestion = standaloneQuestion
        self.settings = settings
        self.interrupted = interrupted
        self.failure = failure
    }
}

/// The state of one chat: the conversation (its id, the turns the pipeline sees as
/// history), the settings of `/k`, `/mode`, `/prompt`, `/backend`, and the last answer's
/// sources for `/sources` and `/open`.
public struct ChatSession: Sendable {
    public private(set) var conversationID: String
    public private(set) var turns: [ChatTurn] = []
    public var settings: ChatSettings
    /// Turns of history sent with a question (the newest; older ones are dropped).
    public let historyTurns: Int

    public init(settings: ChatSettings = ChatSettings(), conversationID: String = ChatSession.newConversationID(), historyTurns: Int = 6) {
        self.settings = settings
        self.conversationID = conversationID
        self.historyTurns = historyTurns
    }

    /// A fresh conversation id (`c-` and 16 hex digits).
    public static func newConversationID() -> String {
        "c-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }

    /// The query for `question`: the conversation so far as history (answered turns and
    /// interrupted ones with what was shown; failed turns are left out).
    public func query(_ question: String) -> ChatQuery {
        var history: [ChatMessage] = []
        for turn in turns.suffix(historyTurns) where turn.failure == nil {
            history.append(ChatMessage(.user, turn.question))
            if !turn.answer.isEmpty { history.append(ChatMessage(.assistant, turn.answer)) }
        }
        return ChatQuery(question: question, history: history, conversationID: conversationID, settings: settings)
    }

    public mutating func record(_ turn: ChatTurn) { turns.append(turn) }

    /// The last turn with sources (what `/sources` and `/open` show).
    public var lastAnswered: ChatTurn? { turns.last { !$0.citations.isEmpty } }

    /// The last finished answer (what `/good` and `/bad` rate).
    public var lastFinished: ChatTurn? { turns.last { $0.requestID != nil } }

    /// `/reset`: a new conversation with a new id; the settings stay.
    public mutating func reset() {
        turns.removeAll()
        conversationID = Self.newConversationID()
    }
}
