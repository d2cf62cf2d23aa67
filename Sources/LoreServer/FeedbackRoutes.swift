import Hummingbird
import LoreStore

/// Where `POST /v1/feedback` records ratings: the request log (LoreApp wires it).
public protocol FeedbackCatalog: Sendable {
    /// Records `feedback` for its request when the request is in the log and `principal`
    /// may use the request's collection. Nil otherwise: the route then answers 404, the
    /// same for an unknown id and for another collection's, so ids cannot be probed.
    func rate(_ feedback: FeedbackRecord, principal: Principal) async throws -> FeedbackOutcome?
}

/// A recorded rating, as the route returns it.
public struct FeedbackOutcome: Sendable, Encodable {
    public var feedback: FeedbackRecord
    /// True when it replaced an earlier rating of the same request.
    public var replaced: Bool

    public init(feedback: FeedbackRecord, replaced: Bool) {
        self.feedback = feedback
        self.replaced = replaced
    }

    enum CodingKeys: String, CodingKey { case requestID = "request_id", rating, replaced }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(feedback.requestID, forKey: .requestID)
        try c.encode(feedback.rating, forKey: .rating)
        try c.encode(replaced, forKey: .replaced)
    }
}

/// `POST /v1/feedback` (scope `query`): a user's rating of one answer,
/// `{"request_id", "rating": 1|-1, "comment"?, "expected_answer"?, "expected_sources"?}`.
/// A second rating of the same request replaces the first.
struct FeedbackRoutes: Sendable {
    let catalog: any FeedbackCatalog
    let options: ServerOptions

    static let names: Set<String> = ["request_id", "rating", "comment", "expected_answer", "expected_sources"]
    static let maxText = 8_000
    static let maxSources = 100

    func register(on router: Router<LoreRequestContext>) {
        router.post("/v1/feedback") { request, context in
            try context.principal.authorize(.query)
            let bytes = try await RequestBodyReader.bytes(request, limit: options.maxBodyBytes)
            let feedback = try Self.parse(try JSONFields.parse(bytes, allowed: Self.names), keyID: context.principal.keyID)
            guard let outcome = try await catalog.rate(feedback, principal: context.principal) else {
                throw APIError.notFound("request_id: no answered request \(feedback.requestID) that this key may rate")
            }
            return try ResponseJSON.response(outcome)
        }
    }

    static func parse(_ body: JSONFields, keyID: String?) throws(APIError) -> FeedbackRecord {
        guard let id = try body.string("request_id"), !id.isEmpty else { throw APIError.invalidRequest("request_id: required") }
        guard let rating = try body.int("rating", in: -1...1), rating != 0 else {
            throw APIError.invalidRequest("rating: required, 1 (good) or -1 (bad)")
        }
        let comment = try body.string("comment"), expected = try body.string("expected_answer")
        for (field, text) in [("comment", comment), ("expected_answer", expected)] {
            if let text, text.count > maxText { throw APIError.invalidRequest("\(field): at most \(maxText) characters") }
        }
        let sources = try body.strings("expected_sources") ?? []
        guard sources.count <= maxSources else {
            throw APIError.invalidRequest("expected_sources: at most \(maxSources) sources, got \(sources.count)")
        }
        if let i = sources.firstIndex(where: { $0.isEmpty }) { throw APIError.invalidRequest("expected_sources[\(i)]: must not be empty") }
        return FeedbackRecord(
            requestID: id, rating: rating, comment: comment?.isEmpty == true ? nil : comment,
            expectedAnswer: expected?.isEmpty == true ? nil : expected, expectedSources: sources, keyID: keyID)
    }
}
