import ArgumentParser
import Foundation
import Logging
import LoreApp
import LoreIndex
import LoreStore

extension IndexCommand {
    /// `lore index search TEXT`: dense retrieval only, for checking what the index returns.
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embed TEXT and print the nearest chunks from the index (dense retrieval only), with optional metadata filters.")

        @OptionGroup var common: Common
        @OptionGroup var embedding: EmbedderOptions

        @Argument(help: "The text to search for.")
        var text: String

        @Option(name: .long, help: "Results to return (1 to 1000, default 10).")
        var k = 10

        @Option(name: .long, help: "Only documents whose source matches this glob (SQLite GLOB; repeatable).")
        var source: [String] = []

        @Option(name: .long, help: "Only documents of this format (txt, md, html, pdf, json, jsonl, csv, code; repeatable).")
        var format: [String] = []

        @Option(name: .long, help: "Only documents whose metadata KEY equals VALUE (KEY=VALUE; repeatable).")
        var meta: [String] = []

        @Option(name: .long, help: "HNSW candidates for this search (default: index.ef_search).")
        var ef: Int?

        @Flag(name: .long, help: "Exact search over the stored vectors, ignoring the index.")
        var exact = false

        func run() async throws {
            guard (1...1000).contains(k) else { throw ValidationError("--k must be between 1 and 1000, got \(k)") }
            if let ef, !(1...10_000).contains(ef) { throw ValidationError("--ef must be between 1 and 10000, got \(ef)") }
            let filter: ChunkFilter
            do {
                filter = ChunkFilter(
                    sources: source, formats: try format.map { try ChunkFilter.format($0) },
                    metadata: try meta.map { try ChunkFilter.metadataCondition($0) })
            } catch { throw ValidationError("\(error)") }
            var config = try common.global.configuration()
            try embedding.apply(to: &config)
            let (manager, id, name) = try common.open(config: config)
            guard let model = try manager.store.embeddingModel(collectionID: id) else {
                throw CommandFailure(description: "collection \(name) has no vectors: ingest it with an embedder first")
            }
            guard let embedder = try await EmbedderFactory.make(config) else { throw ValidationError("--embedder none cannot search") }
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
            let query = try await embedder.embed([text])[0]
            let allow = filter.isEmpty ? nil : try manager.store.chunkIDs(collectionID: id, matching: filter)
            let searchStarted = Date()
            var index = loaded.index
            if exact {
                index = try manager.build(collectionID: id, model: model, kind: .flat)
            }
            let hits = index.search(query, k: k, ef: ef, allow: allow)
            let searchSeconds = Date().timeIntervalSince(searchStarted)
            let chunks = try manager.store.chunkSummaries(hits.map(\.label))
            if common.json {
                let rows: [[String: Any]] = hits.map { h in
                    let c = chunks[h.label]
                    return [
                        "chunk_id": h.label, "score": Double(h.score), "source": c?.source ?? "", "title": c?.title ?? "",
                        "heading_path": c?.headingPath ?? "", "text": c?.text ?? ""
                    ]
                }
                print(
                    try IndexCommand.json([
                        "collection": name, "hits": rows, "index": index.kind.rawValue, "origin": loaded.origin.rawValue,
                        "filtered_to": allow.map { $0.count } ?? NSNull(), "load_s": loadSeconds, "search_s": searchSeconds
                    ]))
                return
            }
            for (i, h) in hits.enumerated() {
                let c = chunks[h.label]
                let heading = (c?.headingPath).map { $0.isEmpty ? "" : " › " + $0 } ?? ""
                print(String(format: "%2d. %.4f  ", i + 1, h.score) + "\(c?.source ?? "?")\(heading)")
                let snippet = (c?.text ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
                print("      " + String(snippet.prefix(160)))
            }
            if hits.isEmpty { print("no results" + (allow != nil ? " (the filters leave \(allow!.count) chunks)" : "")) }
        }
    }
}
