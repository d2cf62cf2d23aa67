import Foundation
import LoreIndex
import LoreStore

/// The options of `lore index search TEXT`.
public struct IndexSearchRequest: Sendable {
    /// The collection, JSON output.
    public var index: IndexRequest
    /// The text to search for.
    public var text: String
    /// Results to return (1 to 1000).
    public var k: Int
    /// Source globs, formats and metadata `KEY=VALUE` conditions the documents must match.
    public var sources: [String], formats: [String], metadata: [String]
    /// HNSW candidates for this search (1 to 10000).
    public var ef: Int?
    /// Exact search over the stored vectors, ignoring the index.
    public var exact: Bool

    /// A request with these options.
    public init(
        index: IndexRequest, text: String, k: Int, sources: [String], formats: [String], metadata: [String], ef: Int?, exact: Bool
    ) {
        self.index = index
        self.text = text
        self.k = k
        self.sources = sources
        self.formats = formats
        self.metadata = metadata
        self.ef = ef
        self.exact = exact
    }
}

/// `lore index search`: dense retrieval only, for checking what the index returns.
public enum IndexSearchCommand {
    /// Checks the options, then embeds the text (after `configuration()`, which is read only
    /// when the options are valid) and prints the nearest chunks.
    public static func run(_ request: IndexSearchRequest, configuration: () throws -> LoreConfiguration) async throws -> CommandOutput {
        let k = request.k
        guard (1...1000).contains(k) else { throw UsageError("--k must be between 1 and 1000, got \(k)") }
        if let ef = request.ef, !(1...10_000).contains(ef) { throw UsageError("--ef must be between 1 and 10000, got \(ef)") }
        let filter: ChunkFilter
        do {
            filter = ChunkFilter(
                sources: request.sources, formats: try request.formats.map { try ChunkFilter.format($0) },
                metadata: try request.metadata.map { try ChunkFilter.metadataCondition($0) })
        } catch { throw UsageError("\(error)") }
        let config = try configuration()
        let (manager, id, name) = try IndexMaintenance.open(request.index, config: config)
        guard let model = try manager.store.embeddingModel(collectionID: id) else {
            throw CommandFailure(description: "collection \(name) has no vectors: ingest it with an embedder first")
        }
        guard let embedder = try await EmbedderFactory.make(config) else { throw UsageError("--embedder none cannot search") }
        guard embedder.modelID == model.id, embedder.dimension == model.dimension else {
            throw CommandFailure(
                description:
                    "collection \(name) was embedded with \(model), but the configured embedder is \(embedder.modelID) (\(embedder.dimension) dimensions): search with the same embedder, or switch the collection with lore reindex"
            )
        }
        let started = Date()
        guard let loaded = try manager.load(collectionID: id) else {
            throw CommandFailure(description: "collection \(name) has no vectors")
        }
        let loadSeconds = Date().timeIntervalSince(started)
        let query = try await embedder.embed([request.text])[0]
        let allow = filter.isEmpty ? nil : try manager.store.chunkIDs(collectionID: id, matching: filter)
        let searchStarted = Date()
        var index = loaded.index
        if request.exact {
            index = try manager.build(collectionID: id, model: model, kind: .flat)
        }
        let hits = index.search(query, k: k, ef: request.ef, allow: allow)
        let searchSeconds = Date().timeIntervalSince(searchStarted)
        let chunks = try manager.store.chunkSummaries(hits.map(\.label))
        var out = CommandOutput()
        if request.index.json {
            let rows: [[String: Any]] = hits.map { h in
                let c = chunks[h.label]
                return [
                    "chunk_id": h.label, "score": Double(h.score), "source": c?.source ?? "", "title": c?.title ?? "",
                    "heading_path": c?.headingPath ?? "", "text": c?.text ?? ""
                ]
            }
            out.print(
                try CommandText.json([
                    "collection": name, "hits": rows, "index": index.kind.rawValue, "origin": loaded.origin.rawValue,
                    "filtered_to": allow.map { $0.count } ?? NSNull(), "load_s": loadSeconds, "search_s": searchSeconds
                ]))
            return out
        }
        for (i, h) in hits.enumerated() {
            let c = chunks[h.label]
            let heading = (c?.headingPath).map { $0.isEmpty ? "" : " › " + $0 } ?? ""
            out.print(String(format: "%2d. %.4f  ", i + 1, h.score) + "\(c?.source ?? "?")\(heading)")
            let snippet = (c?.text ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
            out.print("      " + String(snippet.prefix(160)))
        }
        if hits.isEmpty { out.print("no results" + (allow != nil ? " (the filters leave \(allow!.count) chunks)" : "")) }
        return out
    }
}
