import LoreOps
import LoreServer
import LoreStore

/// `POST /v1/feedback` over the request log: a key may rate the requests of the
/// collections it may use.
struct RequestLogFeedback: FeedbackCatalog {
    let book: FeedbackBook
    /// Negative ratings count against the canary arm that answered (nil: no canary).
    let canary: CanaryController?

    init(_ book: FeedbackBook, canary: CanaryController? = nil) {
        self.book = book
        self.canary = canary
    }

    func rate(_ feedback: FeedbackRecord, principal: Principal) async throws -> FeedbackOutcome? {
        guard let rated = try await book.rate(feedback, mayRate: { principal.mayUse(collection: $0) }) else { return nil }
        if !rated.replaced { canary?.feedback(requestID: feedback.requestID, rating: feedback.rating) }
        return FeedbackOutcome(feedback: rated.feedback, replaced: rated.replaced)
    }
}
