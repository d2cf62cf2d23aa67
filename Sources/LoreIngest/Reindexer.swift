import Foundation
import Logging
import LoreCore
import LoreStore

/// The outcome of a reindex.
public struct ReindexReport: Sendable, Codable {
    public var collection: String
    public var from: String?
    public var to: String
    public var chunks = 0
    /// Texts embedded now, and texts whose vectors for the new model were already cached
    /// (by an earlier, interrupted reindex, or by ingest).
    public var embedded = 0
    public var cached = 0
    public var durationSeconds = 0.0

    enum CodingKeys: String, CodingKey {
        case collection, from, to, chunks, embedded, cached, durationSeconds = "duration_s"
    }
}

/// Re-embeds a collection with another embedder and switches to the new vectors atomically,
/// only once every chunk has one. The new vectors are gathered in the embedding cache, a
/// batch per transaction, so an interrupted reindex leaves the old vectors in service and
/// the next run resumes where it stopped.
public struct Reindexer: Sendable {
    public var embedder: any Embedder
    public var batchSize: Int
    public var logger: Logger

    public init(embedder: any Embedder, batchSize: Int = 256, logger: Logger = Logger(label: "lore.reindex")) {
        self.embedder = embedder
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    public func run(collection: String, store: Store, onProgress: (Int, Int) -> Void = { _, _ in }) async throws -> ReindexReport {
        let clock = ContinuousClock()
        let started = clock.now
        guard let collectionID = try store.existingCollectionID(named: collection) else {
            throw StoreError("no collection named \(collection)")
        }
        let target = EmbeddingModelInfo(id: embedder.modelID, dimension: embedder.dimension)
        var report = ReindexReport(
            collection: collection, from: try store.embeddingModel(collectionID: collectionID)?.description, to: target.description)
        let chunks = try store.chunkTexts(collectionID: collectionID)
        report.chunks = chunks.count
        let hashes = chunks.map { SHA256.hex(of: Array($0.text.utf8)) }
        var vectors: [Int64: [Float]] = [:]
        var start = 0
        while start < chunks.count {
            let end = min(start + batchSize, chunks.count)
            let range = start..<end
            let cached = try store.cachedEmbeddings(model: target.id, textHashes: Array(hashes[range]))
            var missing: [(hash: String, text: String)] = []
            var seen = Set(cached.keys)
            for k in range where seen.insert(hashes[k]).inserted { missing.append((hashes[k], chunks[k].text)) }
            var fresh: [String: [Float]] = [:]
            if !missing.isEmpty {
                let embedded = try await embedder.embed(missing.map(\.text))
                for (m, v) in zip(missing, embedded) { fresh[m.hash] = v }
                try store.connection.transaction { try store.cacheEmbeddings(model: target.id, missing.map { ($0.hash, fresh[$0.hash]!) }) }
                report.embedded += missing.count
            }
            for k in range { vectors[chunks[k].id] = cached[hashes[k]] ?? fresh[hashes[k]] }
            report.cached += range.count - missing.count
            onProgress(end, chunks.count)
            start = end
        }
        try store.switchVectors(collectionID: collectionID, to: target, vectors: vectors)
        logger.info("reindexed", metadata: ["collection": "\(collection)", "to": "\(target)", "chunks": "\(chunks.count)"])
        let elapsed = clock.now - started
        report.durationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }
}
