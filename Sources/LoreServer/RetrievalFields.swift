import LoreCore
import LoreRetrieval
import LoreStore

/// The retrieval fields `/v1/query` and `/v1/retrieve` share: `collection`, `question`, `k`,
/// `fetch_k`, `lambda`, `min_relevance`, `mode` and `filters` (`collection`, `source`,
/// `format`, `metadata`), applied over the served collection's defaults. The fields may sit
/// in a nested object (`/v1/chat/completions` reads them from its `lore` extension):
/// messages name them by their full path (`lore.k`, `lore.filters.format`).
enum RetrievalFields {
    static let names: Set<String> = ["collection", "question", "k", "fetch_k", "lambda", "min_relevance", "mode", "filters"]
    static let filterNames: Set<String> = ["collection", "source", "format", "metadata"]

    /// The non-empty question.
    static func question(_ body: JSONFields) throws(APIError) -> String {
        guard let question = try body.string("question") else { throw APIError.invalidRequest("question: required") }
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.invalidRequest("question: must not be empty")
        }
        return question
    }

    /// The collection the body names, as `collection` or `filters.collection` (nil: the
    /// server's default); naming two different ones is a 400.
    static func collection(_ body: JSONFields) throws(APIError) -> CollectionName? {
        let top = try body.string("collection")
        let filtered = try body.object("filters", allowed: filterNames)?.string("collection")
        if let top, let filtered, top != filtered {
            throw APIError.invalidRequest("\(body.name("filters")).collection: \(filtered) differs from \(body.name("collection")) \(top)")
        }
        if let top { return CollectionName(name: top, field: body.name("collection")) }
        return filtered.map { CollectionName(name: $0, field: body.name("filters") + ".collection") }
    }

    /// The retrieval options: the defaults, overridden by the body's fields, validated.
    static func options(_ body: JSONFields, served: ServedCollection) throws(APIError) -> RetrievalOptions {
        var options = served.defaults
        let k = try body.int("k", in: 1...100)
        let fetchK = try body.int("fetch_k", in: 1...1000)
        if let k { options.k = k; if fetchK == nil { options.fetchK = max(options.fetchK, k) } }
        if let fetchK { options.fetchK = fetchK }
        if let lambda = try body.double("lambda", in: 0...1) { options.lambda = lambda }
        if let minRelevance = try body.double("min_relevance", in: -1...1) { options.minRelevance = minRelevance }
        if let mode = try body.string("mode") {
            guard let m = RetrievalMode(rawValue: mode) else {
                throw APIError.invalidRequest("\(body.name("mode")): must be hybrid, dense or lexical, not \(mode)")
            }
            if served.lexicalOnly && m != .lexical {
                throw APIError.invalidRequest("\(body.name("mode")): collection \(served.name) has no vectors; only lexical works")
            }
            options.mode = m
        }
        if let filters = try body.object("filters", allowed: filterNames) {
            options.filter = try filter(filters, served: served)
        }
        do { try options.validate() } catch { throw APIError.invalidRequest("\(body.prefix)\(error)") }
        return options
    }

    static func filter(_ f: JSONFields, served: ServedCollection) throws(APIError) -> ChunkFilter {
        var filter = ChunkFilter()
        filter.sources = try f.strings("source") ?? []
        for name in try f.strings("format") ?? [] {
            do { filter.formats.append(try ChunkFilter.format(name, parameter: f.name("format"))) } catch {
                throw APIError.invalidRequest("\(error)")
            }
        }
        for (key, value) in try f.textMap("metadata") ?? [] {
            guard !key.isEmpty, !key.contains("\"") else {
                throw APIError.invalidRequest("\(f.name("metadata")): a key must be non-empty and hold no double quote, not \(key)")
            }
            filter.metadata.append((key, value))
        }
        return filter
    }
}
