import HTTPTypes
import Hummingbird
import LoreCore

/// The server span of each request, when tracing is on: the local root of the request's
/// trace, or a child of the caller's when it sent a sampled W3C `traceparent`. Everything
/// the routes and the pipeline run inside it (`Tracing.current`) becomes its child.
///
/// The trace id goes into the context (the request log records it), into every log line's
/// metadata as `trace_id`, and back to the client in a `traceresponse` header
/// (`00-<trace id>-<server span id>-01`, W3C Trace Context level 2). The span ends when the
/// response body has been written, so a stream's span lasts as long as the stream. Without
/// a tracer, for a request not sampled, and for the probes and the metrics scrape
/// (`/healthz`, `/readyz`, `/metrics`), only the caller's trace id is passed on.
struct TraceMiddleware: RouterMiddleware {
    typealias Context = LoreRequestContext
    static let traceparent = HTTPField.Name("traceparent")!
    static let traceresponse = HTTPField.Name("traceresponse")!
    let tracer: Tracer?
    /// Probes and scrapes, which would bury the traces of real requests: never traced.
    static let untraced: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[Self.traceparent].flatMap(TraceContext.init(traceparent:))
        guard let tracer, !Self.untraced.contains(request.uri.path),
            let span = tracer.startSpan(
                "\(request.method.rawValue)", kind: .server, parent: incoming,
                attributes: [
                    ("http.request.method", .string(request.method.rawValue)), ("url.path", .string(request.uri.path)),
                    ("lore.request_id", .string(context.requestID))
                ])
        else {
            context.traceID = incoming?.traceID
            if let id = context.traceID { context.logger[metadataKey: "trace_id"] = "\(id)" }
            return try await next(request, context)
        }
        context.traceID = span.context.traceID
        context.logger[metadataKey: "trace_id"] = "\(span.context.traceID)"
        if let agent = request.headers[.userAgent] { span.set("user_agent.original", agent) }
        do {
            var response = try await Tracing.$current.withValue(span) { try await next(request, context) }
            name(span, context)
            let status = Int(response.status.code)
            span.set("http.response.status_code", status)
            if status >= 500 { span.fail("HTTP \(status)", type: "http") }
            response.headers[Self.traceresponse] = span.context.traceparent
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                do {
                    try await body.write(writer)
                    span.end()
                } catch {
                    span.fail(error)
                    span.end()
                    throw error
                }
            }
            return response
        } catch {
            name(span, context)
            let status = Int((error as? any HTTPResponseError)?.status.code ?? 500)
            span.set("http.response.status_code", status)
            if status >= 500 { span.fail(error) }
            span.end()
            throw error
        }
    }

    /// `METHOD /route/{pattern}` once the router matched (the low-cardinality name the
    /// HTTP semantic conventions ask for), else the method alone.
    private func name(_ span: Span, _ context: Context) {
        guard let route = context.matchedRoute else { return }
        span.rename("\(span.name) \(route)")
        span.set("http.route", route)
    }
}
