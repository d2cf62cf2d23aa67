import Foundation
import Hummingbird
import LoreCore

/// An error answered with Lore's one error shape, `{"error": {"code": "...", "message": "..."}}`,
/// and its HTTP status. Every route, middleware and unmatched path answers errors this way.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// A stable machine-readable code (`invalid_request`, `not_found`, ...).
    public var code: String
    /// What is wrong, naming the field when a field is.
    public var message: String
    /// Extra response headers (`Allow` on a 405).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// 400: the body or a field is malformed; `message` names the field.
    public static func invalidRequest(_ message: String) -> APIError { APIError(.badRequest, code: "invalid_request", message) }
    /// 404: nothing is served at this path, or the named thing does not exist.
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message) }
    /// 413: the body is larger than the server takes.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", "the request body is larger than \(limit) bytes")
    }
    /// 500: a fault of the server, never of the input.
    public static func `internal`(_ message: String = "internal error") -> APIError {
        APIError(.internalServerError, code: "internal_error", message)
    }

    /// The body: `{"error": {"code": ..., "message": ...}}`.
    public var body: String {
        var out = "{\"error\":{\"code\":"
        JSONValue.writeString(code, to: &out)
        out += ",\"message\":"
        JSONValue.writeString(message, to: &out)
        out += "}}"
        return out
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body + "\n")))
    }
}
