import Hummingbird
import Logging
import LoreQuery

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
    /// The trace id of the caller's W3C `traceparent` header (32 hex digits), when it sent
    /// a valid one: the request log records it.
    public var traceID: String?
    /// What inner middlewares learn that the outer ones log (shared by every copy of the
    /// context of one request).
    public let annotations = RequestAnnotations()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Who asked, for the pipeline's request log.
    func origin(channel: String) -> RequestOrigin {
        RequestOrigin(channel: channel, keyID: principal.keyID, traceID: traceID)
    }

    /// The matched route pattern (`/v1/query`), or nil when no route matched the path and
    /// method (Hummingbird's not-found responder records those as `NotFound`).
    var matchedRoute: String? {
        guard let path = endpointPath, path != "NotFound" else { return nil }
        return path
    }
}
