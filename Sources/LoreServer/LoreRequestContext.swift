import Hummingbird
import Logging

/// The request context of Lore's routes: Hummingbird's core context plus the request id
/// (the client's valid `X-Request-ID`, or one generated), which the pipeline, the logs and
/// the response share.
public struct LoreRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIDMiddleware` before any route runs.
    public var requestID = ""
    /// Who is calling: set by the authentication middleware before any route runs
    /// (`anonymous`, no scope, until it has).
    public var principal: Principal = .anonymous
    /// What inner middlewares learn that the outer ones log (shared by every copy of the
    /// context of one request).
    public let annotations = RequestAnnotations()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The matched route pattern (`/v1/query`), or nil when no route matched the path and
    /// method (Hummingbird's not-found responder records those as `NotFound`).
    var matchedRoute: String? {
        guard let path = endpointPath, path != "NotFound" else { return nil }
        return path
    }
}
