import ArgumentParser
import Foundation
import LoreApp
import LoreIndex
import LoreStore

/// `lore stats`
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the database holds.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let config = try global.configuration()
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
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            var object = try JSONSerialization.jsonObject(with: try encoder.encode(s)) as! [String: Any]
            object["indexes"] = Dictionary(uniqueKeysWithValues: indexes.map { ($0.0, IndexCommand.describe($0.1)) })
            print(try IndexCommand.json(object))
            return
        }
        print("database    \(config.database) (\(Self.bytes(s.databaseBytes)), WAL \(Self.bytes(s.walBytes)))")
        print("documents   \(s.documents)")
        for (format, n) in s.documentsByFormat.sorted(by: { $0.key < $1.key }) {
            print("  \(format.padding(toLength: 10, withPad: " ", startingAt: 0))\(n)")
        }
        print("chunks      \(s.chunks) (\(s.tokens) tokens)")
        if s.vectorsByModel.isEmpty { print("vectors     0") }
        for (model, n) in s.vectorsByModel.sorted(by: { $0.key < $1.key }) { print("vectors     \(n) (\(model))") }
        print("collections")
        for c in s.collections {
            let model = c.embeddingModel.map { ", \($0) (\(c.embeddingDimension ?? 0)d)" } ?? ""
            print("  \(c.name): \(c.documents) documents, \(c.chunks) chunks\(model)")
        }
        for (name, stats) in indexes {
            print("index of \(name)")
            for line in IndexCommand.lines(stats, collection: name).dropFirst() { print("  " + line) }
        }
        print(
            "guardrails  \(s.flaggedChunks) chunks flagged for injected instructions (of \(s.scannedChunks) scanned)\(s.flaggedChunks > 0 ? ": lore guard flagged lists them" : "")"
        )
        if let r = s.lastRun { print("last ingest run \(r.id): \(r.status)") }
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / 1048576) : n >= 1024 ? String(format: "%.1f KiB", Double(n) / 1024) : "\(n) B"
    }
}
