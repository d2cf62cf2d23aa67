import HTTPTypes
import Hummingbird

/// Adds `X-Lore-Index-Version` to every response of a replica serving published index
/// versions: the version the request's collection answered from, or, for requests that
/// used none (health, metrics, errors before a collection was chosen), the version new
/// requests get. Servers of a store itself send no such header.
struct IndexVersionMiddleware: RouterMiddleware {
    typealias Context = LoreRequestContext
    static let header = HTTPField.Name("X-Lore-Index-Version")!
    let collections: ServedCollections

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let version = context.annotations.indexVersion ?? collections.currentVersion {
            response.headers[Self.header] = version
        }
        return response
    }
}
