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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let offered = request.headers[Self.header]
        let id = offered.flatMap { Self.isValid($0) ? $0 : nil } ?? Self.generate()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = "\(id)"
        if let offered, offered != id {
            context.logger.info("replaced an invalid X-Request-ID", metadata: ["offered_bytes": "\(offered.utf8.count)"])
        }
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }
}
