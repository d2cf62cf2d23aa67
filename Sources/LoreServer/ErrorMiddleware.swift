import Hummingbird

/// Turns every error into Lore's error shape (see `APIError`). A path that is served but
/// not with this method is a 405 naming the methods in `Allow`; any other unmatched path
/// is a 404.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = LoreRequestContext
    /// The methods served at each path: the router's routes.
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var e = APIError.from(error, logger: context.logger)
            if e.status == .notFound, context.matchedRoute == nil {
                if let methods = Self.methods(at: request.uri.path, in: routes.methods) {
                    let allow = methods.map(\.rawValue).joined(separator: ", ")
                    e = APIError(
                        .methodNotAllowed, code: "method_not_allowed",
                        "\(request.method.rawValue) \(request.uri.path): use \(allow)", headers: [.allow: allow])
                } else {
                    e = .notFound("no route for \(request.method.rawValue) \(request.uri.path)")
                }
            }
            return try e.response(from: request, context: context)
        }
    }

    /// The methods served at `path`: an exact entry, else a pattern whose `{name}` segments
    /// match any one non-empty segment.
    static func methods(at path: String, in routes: [String: [HTTPRequest.Method]]) -> [HTTPRequest.Method]? {
        if let exact = routes[path] { return exact }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (pattern, methods) in routes where pattern.contains("{") {
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            if zip(parts, segments).allSatisfy({ p, s in p == s || (p.hasPrefix("{") && !s.isEmpty) }) { return methods }
        }
        return nil
    }
}
