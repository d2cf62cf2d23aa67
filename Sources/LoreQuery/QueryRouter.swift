import LoreCore

/// Which pipeline configuration answers a request: the configured one (the primary), or a
/// candidate under trial (a canary).
public enum QueryArm: String, Sendable, Codable, CaseIterable {
    case primary, canary
}

/// A request on its way to an arm: what the client asked (`original`) and what the arm runs
/// (`request`, the candidate's overrides applied on the canary arm).
public struct RoutedQuery: Sendable {
    public var arm: QueryArm
    public var original: QueryRequest
    public var request: QueryRequest

    public init(arm: QueryArm, original: QueryRequest, request: QueryRequest) {
        self.arm = arm
        self.original = original
        self.request = request
    }
}

/// How a request ended on its arm.
public enum QueryOutcome: Sendable {
    case answered(QueryResponse)
    case failed(any Error)
}

/// Routes live requests between the primary and a candidate, and hears how each ended
/// (the canary controller). `QueryService.run` calls `route` once per request and
/// `observe` once per arm that ran it; both are called on the request's task and must
/// return at once.
public protocol QueryRouter: Sendable {
    func route(_ request: QueryRequest) -> RoutedQuery
    func observe(_ routed: RoutedQuery, outcome: QueryOutcome)
}
