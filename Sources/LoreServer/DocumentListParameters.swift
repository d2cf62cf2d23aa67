import Hummingbird
import LoreCore
import LoreStore

/// The query parameters of `GET /v1/documents`: `collection`, `limit` (1 to 100, default
/// 20), `cursor` (the `next_cursor` of the previous page), `source` (a glob on the source,
/// repeatable), `format` (repeatable) and `metadata.KEY=VALUE` (repeatable, all must hold).
/// Any other parameter, or a malformed value, is a 400 naming it.
struct DocumentListParameters {
    static let known = "collection, limit, cursor, source, format, metadata.KEY"
    var collection: CollectionName?
    var limit = 20
    var after: Int64 = 0
    var filter = ChunkFilter()

    init(_ parameters: Hummingbird.Parameters) throws(APIError) {
        for (rawKey, rawValue) in parameters {
            let key = String(rawKey), value = String(rawValue)
            switch key {
            case "collection": collection = CollectionName(name: value, field: "collection")
            case "limit":
                guard let n = Int(value), (1...100).contains(n) else {
                    throw APIError.invalidRequest("limit: must be an integer between 1 and 100, not \(value.prefix(40))")
                }
                limit = n
            case "cursor":
                guard let n = Int64(value), n >= 0 else {
                    throw APIError.invalidRequest("cursor: not a cursor this server gave (use next_cursor of the previous page)")
                }
                after = n
            case "source":
                guard !value.isEmpty else { throw APIError.invalidRequest("source: must not be empty") }
                filter.sources.append(value)
            case "format":
                guard let f = DocumentFormat(rawValue: value) else {
                    throw APIError.invalidRequest(
                        "format: unknown format \(value.prefix(40)); use one of \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                filter.formats.append(f)
            default:
                guard key.hasPrefix("metadata.") else {
                    throw APIError.invalidRequest("\(key.prefix(60)): unknown parameter; known parameters are \(Self.known)")
                }
                let name = String(key.dropFirst("metadata.".count))
                guard !name.isEmpty, !name.contains("\""), name.utf8.count <= 128 else {
                    throw APIError.invalidRequest("\(key.prefix(60)): the metadata key must be 1 to 128 bytes with no double quote")
                }
                filter.metadata.append((name, value))
            }
        }
    }
}
