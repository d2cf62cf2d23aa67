import HTTPTypes
import Hummingbird

/// Which browser origins may call the API (`server.cors`). Off unless configured.
public struct CORSPolicy: Sendable, Equatable {
    /// Exact origins (`https://app.example.com`), or `*` for any origin.
    public var allowedOrigins: [String]
    /// Answered in `Access-Control-Allow-Methods` to a preflight.
    public var allowedMethods: [String]
    /// Answered in `Access-Control-Allow-Headers` to a preflight.
    public var allowedHeaders: [String]
    /// How long a browser may cache a preflight's answer (`Access-Control-Max-Age`).
    public var maxAgeSeconds: Int?

    public static let defaultMethods = ["GET", "POST", "DELETE", "OPTIONS"]
    public static let defaultHeaders = ["Authorization", "Content-Type", "X-Request-ID"]

    public init(
        allowedOrigins: [String], allowedMethods: [String] = defaultMethods, allowedHeaders: [String] = defaultHeaders,
        maxAgeSeconds: Int? = nil
    ) {
        self.allowedOrigins = allowedOrigins
        self.allowedMethods = allowedMethods
        self.allowedHeaders = allowedHeaders
        self.maxAgeSeconds = maxAgeSeconds
    }

    /// Whether `origin` is listed (or `*` is).
    public func allows(_ origin: String) -> Bool {
        origin != "null" && (allowedOrigins.contains(origin) || allowedOrigins.contains("*"))
    }
}

/// Answers CORS preflights (`OPTIONS` with `Origin` and `Access-Control-Request-Method`)
/// itself, before authentication, so that browsers need no key for them; adds
/// `Access-Control-Allow-Origin` (the request's origin) to every response, errors included,
/// for a listed origin. An origin not listed gets no CORS header at all, and its preflight a
/// 403 `origin_not_allowed`. Placed outside the error middleware, so it sees every error as
/// a response.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = LoreRequestContext
    let policy: CORSPolicy
    static let requestMethod = HTTPField.Name("Access-Control-Request-Method")!
    /// What scripts may read of a response besides the safelisted headers.
    static let exposed = "X-Request-ID, Retry-After, WWW-Authenticate"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = policy.allows(origin)
        if request.method == .options, request.headers[Self.requestMethod] != nil {
            guard allowed else {
                return try APIError(.forbidden, code: "origin_not_allowed", "origin \(origin) is not in server.cors.allowed_origins")
                    .response(from: request, context: context)
            }
            var headers: HTTPFields = [
                .accessControlAllowOrigin: origin, .vary: "Origin",
                .accessControlAllowMethods: policy.allowedMethods.joined(separator: ", "),
                .accessControlAllowHeaders: policy.allowedHeaders.joined(separator: ", ")
            ]
            if let maxAge = policy.maxAgeSeconds { headers[.accessControlMaxAge] = "\(maxAge)" }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = Self.exposed
            response.headers[values: .vary].append("Origin")
        }
        return response
    }
}
