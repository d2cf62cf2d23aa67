import Dispatch
import Hummingbird
import Logging
import Metrics

/// Counts every request as its response starts (`lore_http_requests_total{route,method,status}`),
/// and times it and logs one `request` line once its body has been written, so a stream's
/// whole length counts (`lore_http_request_duration_seconds{route,method}`, a histogram
/// with Prometheus). The route is the matched pattern (`/v1/query`), `unmatched` for any
/// other path, so a scan of random paths cannot grow the label set.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = LoreRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        var response = try await next(request, context)
        let route = context.matchedRoute ?? "unmatched"
        let method = request.method.rawValue
        let status = response.status.code
        let logger = context.logger
        let path = request.uri.path
        let body = response.body
        let annotations = context.annotations
        Counter(label: "lore_http_requests_total", dimensions: [("route", route), ("method", method), ("status", "\(status)")]).increment()
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer {
                let elapsed = DispatchTime.now().uptimeNanoseconds - started
                Timer(label: "lore_http_request_duration_seconds", dimensions: [("route", route), ("method", method)])
                    .recordNanoseconds(Int64(elapsed))
                var metadata: Logger.Metadata = [
                    "method": "\(method)", "path": "\(path)", "status": "\(status)",
                    "ms": "\(Double(elapsed / 1000) / 1000)"
                ]
                if let keyID = annotations.keyID { metadata["key_id"] = "\(keyID)" }
                logger.info("request", metadata: metadata)
            }
            try await body.write(writer)
        }
        return response
    }
}
