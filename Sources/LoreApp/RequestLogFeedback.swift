import LoreOps
import LoreServer
import LoreStore

/// `POST /v1/feedback` over the request log: a key may rate the requests of the
/// collections it may use.
struct RequestLogFeedback: FeedbackCatalog {
    let book: FeedbackBook

    init(_ book: FeedbackBook) { self.book = book }

    func rate(_ feedback: FeedbackRecord, principal: Principal) async throws -> FeedbackOutcome? {
        guard let rated = try await book.rate(feedback, mayRate: { principal.mayUse(collection: $0) }) else { return nil }
        return FeedbackOutcome(feedback: rated.feedback, replaced: rated.replaced)
    }
}
