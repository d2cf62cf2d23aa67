import Hummingbird
import Logging
import LoreQuery
import LoreRetrieval

extension APIError {
    /// The API error for anything a route or the pipeline threw. Faults of the input are
    /// 4xx; only what is nobody's input (an unexpected failure) is a 500, and is logged.
    static func from(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as QueryError:
            switch e.kind {
            case .invalidRequest: return .invalidRequest(e.description)
            case .prompt: return APIError(.badRequest, code: "invalid_prompt", e.description)
            case .retrieval: return APIError(.badRequest, code: "retrieval_failed", e.description)
            case .backend: return APIError(.badGateway, code: "backend_failed", e.description)
            case .backendUnavailable:
                return APIError(.serviceUnavailable, code: "backend_unavailable", e.description, headers: [.retryAfter: "5"])
            }
        case let e as RetrievalError:
            return APIError(.badRequest, code: "retrieval_failed", e.description)
        case let e as HTTPError:
            return APIError(e.status, code: code(for: e.status), e.body ?? e.status.reasonPhrase)
        case let e as any HTTPResponseError:
            return APIError(e.status, code: code(for: e.status), e.status.reasonPhrase)
        case is CancellationError:
            return APIError(
                .serviceUnavailable, code: "cancelled", "the request was cancelled (the server is stopping, or the client left)")
        default:
            logger.error("request failed", metadata: ["error": "\(error)"])
            return .internal()
        }
    }

    /// A code for a status Hummingbird chose.
    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "invalid_request"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 408: return "request_timeout"
        case 413: return "payload_too_large"
        case 415: return "unsupported_media_type"
        case 500..<600: return "internal_error"
        default: return "http_\(status.code)"
        }
    }
}
