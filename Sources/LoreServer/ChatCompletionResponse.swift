import Foundation
import LoreCore
import LoreQuery

/// What a chat completion answers, as OpenAI shapes it (`chat.completion`), plus the `lore`
/// extension object that OpenAI's shape has no room for: the citations above all.
struct ChatCompletionResponse: Encodable {
    struct Message: Encodable {
        var role = "assistant"
        var content: String
    }

    struct Choice: Encodable {
        var index = 0
        var message: Message
        var finishReason: String

        enum CodingKeys: String, CodingKey { case index, message, finishReason = "finish_reason" }
    }

    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: ChatUsage
    var lore: ChatCompletionExtension

    init(_ response: QueryResponse, model: String, created: Int, ignoredSystemMessages: Int) {
        id = ChatCompletionExtension.completionID(response.requestID)
        self.created = created
        self.model = model
        choices = [Choice(message: Message(content: response.answer), finishReason: ChatCompletionExtension.finishReason(response))]
        usage = ChatUsage(response.usage)
        lore = ChatCompletionExtension(response, ignoredSystemMessages: ignoredSystemMessages)
    }
}

/// `usage` as OpenAI counts it.
struct ChatUsage: Encodable {
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }

    init(_ u: TokenUsage) {
        promptTokens = u.promptTokens
        completionTokens = u.completionTokens
        totalTokens = u.totalTokens
    }
}

/// The `lore` object of a chat completion (and of a stream's final chunk): what Lore's
/// answer carries beyond OpenAI's shape, with the same field names as `/v1/query`.
struct ChatCompletionExtension: Encodable {
    var requestID: String
    var conversationID: String?
    /// The numbered sources, as `/v1/query`'s `citations`; `cited` marks those the answer cites.
    var citations: [Citation]
    var refused: Bool
    var insufficientContext: Bool
    var guardrailFindings: [GuardFinding]
    var prompt: PromptInfo
    var backend: String
    /// The model the backend reported (empty for the extractive answerer).
    var backendModel: String
    var mode: String
    /// The question retrieval used (the condensed follow-up in a conversation).
    var standaloneQuestion: String
    var timingsMs: QueryTimings
    /// Lore's own finish reason: `stop`, `length`, `incomplete`, `refused` or `blocked`.
    var finishReason: String
    var problem: String?
    var withheldSources: Int
    var attributedCitations: Int
    /// True when the backend reported no usage and the counts are Lore's estimates.
    var usageEstimated: Bool
    var ignoredSystemMessages: Int
    /// In a stream's final chunk only, when the finished answer differs from the streamed
    /// deltas (citations Lore attributed, the output guard's changes): the finished answer.
    var answer: String?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", conversationID = "conversation_id", citations, refused
        case insufficientContext = "insufficient_context", guardrailFindings = "guardrail_findings", prompt, backend
        case backendModel = "backend_model", mode, standaloneQuestion = "standalone_question", timingsMs = "timings_ms"
        case finishReason = "finish_reason", problem, withheldSources = "withheld_sources", attributedCitations = "attributed_citations"
        case usageEstimated = "usage_estimated", ignoredSystemMessages = "ignored_system_messages", answer
    }

    init(_ r: QueryResponse, ignoredSystemMessages: Int) {
        requestID = r.requestID
        conversationID = r.conversationID
        citations = r.citations
        refused = r.refused
        insufficientContext = r.insufficientContext
        guardrailFindings = r.guardrailFindings
        prompt = r.prompt
        backend = r.backend
        backendModel = r.model
        mode = r.mode
        standaloneQuestion = r.standaloneQuestion
        timingsMs = r.timingsMs
        finishReason = r.finishReason
        problem = r.problem
        withheldSources = r.withheldSources
        attributedCitations = r.attributedCitations
        usageEstimated = r.usage.estimated
        self.ignoredSystemMessages = ignoredSystemMessages
    }

    /// `chatcmpl-` and the request id.
    static func completionID(_ requestID: String) -> String { "chatcmpl-" + requestID }

    /// OpenAI's finish reason for Lore's: `length` stays, a question the input guard blocked
    /// is `content_filter`, everything else (refusals, a broken stream) is `stop` (the
    /// extension keeps Lore's own).
    static func finishReason(_ r: QueryResponse) -> String {
        switch r.finishReason {
        case "length": return "length"
        case "blocked": return "content_filter"
        default: return "stop"
        }
    }
}
