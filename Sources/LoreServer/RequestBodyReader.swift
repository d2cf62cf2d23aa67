import Hummingbird

/// Reads a request body whole, up to the server's limit (413 beyond it, before reading
/// when `Content-Length` already says so).
enum RequestBodyReader {
    static func bytes(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: limit)
        }
    }
}
