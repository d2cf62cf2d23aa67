import ArgumentParser
import Foundation
import LoreStore

/// `lore stats`
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the database holds.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let config = try global.configuration()
        guard FileManager.default.fileExists(atPath: config.database) else {
            throw CommandFailure(description: "no database at \(config.database): run lore ingest first, or pass --db")
        }
        let store = try Store(path: config.database)
        let s = try store.stats()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(s), as: UTF8.self))
            return
        }
        print("database    \(config.database) (\(Self.bytes(s.databaseBytes)), WAL \(Self.bytes(s.walBytes)))")
        print("documents   \(s.documents)")
        for (format, n) in s.documentsByFormat.sorted(by: { $0.key < $1.key }) { print("  \(format.padding(toLength: 10, withPad: " ", startingAt: 0))\(n)") }
        print("chunks      \(s.chunks) (\(s.tokens) tokens)")
        if s.vectorsByModel.isEmpty { print("vectors     0") }
        for (model, n) in s.vectorsByModel.sorted(by: { $0.key < $1.key }) { print("vectors     \(n) (\(model))") }
        print("collections")
        for c in s.collections {
            let model = c.embeddingModel.map { ", \($0) (\(c.embeddingDimension ?? 0)d)" } ?? ""
            print("  \(c.name): \(c.documents) documents, \(c.chunks) chunks\(model)")
        }
        if let r = s.lastRun { print("last ingest run \(r.id): \(r.status)") }
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / 1048576) : n >= 1024 ? String(format: "%.1f KiB", Double(n) / 1024) : "\(n) B"
    }
}
