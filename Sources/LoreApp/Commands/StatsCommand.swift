import Foundation
import LoreIndex
import LoreStore

/// `lore stats`: what the database holds (documents, chunks, vectors, collections, indexes,
/// guardrail flags, the last ingest run).
public enum StatsCommand {
    /// The statistics as a table, or as one JSON object with `json`.
    public static func run(json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        try config.requireDatabase()
        let store = try Store(path: config.database)
        let s = try store.stats()
        let manager = IndexManager(store: store, settings: try config.index.settings())
        var indexes: [(String, IndexStats)] = []
        for c in s.collections {
            if let id = try store.existingCollectionID(named: c.name), let stats = try manager.stats(collectionID: id) {
                indexes.append((c.name, stats))
            }
        }
        var out = CommandOutput()
        if json {
            var object = try JSONSerialization.jsonObject(with: try CommandText.encoder(snakeCase: true).encode(s)) as! [String: Any]
            object["indexes"] = Dictionary(uniqueKeysWithValues: indexes.map { ($0.0, IndexMaintenance.describe($0.1)) })
            out.print(try CommandText.json(object))
            return out
        }
        out.print("database    \(config.database) (\(CommandText.bytes(s.databaseBytes)), WAL \(CommandText.bytes(s.walBytes)))")
        out.print("documents   \(s.documents)")
        for (format, n) in s.documentsByFormat.sorted(by: { $0.key < $1.key }) {
            out.print("  \(format.padding(toLength: 10, withPad: " ", startingAt: 0))\(n)")
        }
        out.print("chunks      \(s.chunks) (\(s.tokens) tokens)")
        if s.vectorsByModel.isEmpty { out.print("vectors     0") }
        for (model, n) in s.vectorsByModel.sorted(by: { $0.key < $1.key }) { out.print("vectors     \(n) (\(model))") }
        out.print("collections")
        for c in s.collections {
            let model = c.embeddingModel.map { ", \($0) (\(c.embeddingDimension ?? 0)d)" } ?? ""
            out.print("  \(c.name): \(c.documents) documents, \(c.chunks) chunks\(model)")
        }
        for (name, stats) in indexes {
            out.print("index of \(name)")
            for line in IndexMaintenance.lines(stats, collection: name).dropFirst() { out.print("  " + line) }
        }
        out.print(
            "guardrails  \(s.flaggedChunks) chunks flagged for injected instructions (of \(s.scannedChunks) scanned)\(s.flaggedChunks > 0 ? ": lore guard flagged lists them" : "")"
        )
        if let r = s.lastRun { out.print("last ingest run \(r.id): \(r.status)") }
        return out
    }
}
