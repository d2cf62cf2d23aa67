import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id: the client's `X-Request-ID` when it is valid (1 to 128
/// printable ASCII characters, no spaces), else a new one. The id goes into the context
/// (and from there to the pipeline as its request id), into every log line's metadata as
/// `request_id`, and back to the client in `X-Request-ID` on every response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = LoreRequestContext
    static let header = HTTPField.Name("X-Request-ID")!

    /// Whether a client's id is acceptable.
    static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    static func generate() -> String { UUID().uuidString.lowercased() }

    /// The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), or nil when the
    /// header is malformed or the id is all zeros (invalid by the specification).
    static func traceID(_ traceparent: String) -> String? {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2
        else { return nil }
        let hex = { (s: Substring) in s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }
        guard parts.prefix(4).allSatisfy(hex), parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }) else {
            return nil
        }
        return String(parts[1])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let offered = request.headers[Self.header]
        let id = offered.flatMap { Self.isValid($0) ? $0 : nil } ?? Self.generate()
        context.requestID = id
        context.traceID = request.headers[HTTPField.Name("traceparent")!].flatMap(Self.traceID)
        context.logger[metadataKey: "request_id"] = "\(id)"
        if let offered, offered != id {
            context.logger.info("replaced an invalid X-Request-ID", metadata: ["offered_bytes": "\(offered.utf8.count)"])
        }
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }
}
