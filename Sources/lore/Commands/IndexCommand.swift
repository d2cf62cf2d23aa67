import ArgumentParser
import Foundation
import Logging
import LoreApp
import LoreIndex
import LoreStore

private typealias StoreStatsCommand = Stats

/// `lore index build|stats|verify|rebuild|search`
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build, inspect, check, rebuild and search the vector index stored in the database.",
        subcommands: [Build.self, Stats.self, Verify.self, Rebuild.self, Search.self]
    )

    /// Options every `lore index` subcommand takes.
    struct Common: ParsableArguments {
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The collection (default: configuration collection, else default).")
        var collection: String?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Flag(name: .long, help: "Print a line as each snapshot part is written.")
        var verbose = false

        /// The store, the manager and the collection's id; fails clearly when either is missing.
        func open() throws -> (IndexManager, Int64, String) {
            try open(config: try global.configuration())
        }

        func open(config: LoreConfiguration) throws -> (IndexManager, Int64, String) {
            try config.requireDatabase()
            let store = try Store(path: config.database)
            let name = collection ?? config.collection
            guard let id = try store.existingCollectionID(named: name) else {
                throw CommandFailure(description: "no collection named \(name) in \(config.database)")
            }
            return (IndexManager(store: store, settings: try config.index.settings(), logger: Logger(label: "lore.index")), id, name)
        }

        func progress() -> ((Int) -> Void)? {
            verbose
                ? { part in
                    print("wrote part \(part)"); fflush(nil)
                } : nil
        }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the stored index up to date (replaying changes since its snapshot).")
        @OptionGroup var common: Common

        func run() throws {
            let (manager, id, name) = try common.open()
            try IndexCommand.printSync(try manager.sync(collectionID: id, progress: common.progress()), collection: name, json: common.json)
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rebuild the index from the stored vectors and save it.")
        @OptionGroup var common: Common

        func run() throws {
            let (manager, id, name) = try common.open()
            try IndexCommand.printSync(
                try manager.sync(collectionID: id, forceRebuild: true, progress: common.progress()), collection: name, json: common.json)
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the stored index: type, size, tombstones, parameters, snapshot.")
        @OptionGroup var common: Common

        func run() throws {
            let (manager, id, name) = try common.open()
            guard let s = try manager.stats(collectionID: id) else {
                if common.json {
                    print(#"{"collection":"\#(name)","index":null}"#)
                } else {
                    print("\(name): no index stored (run lore index build)")
                }
                return
            }
            if common.json { print(try IndexCommand.json(["collection": name, "index": IndexCommand.describe(s)])); return }
            print(IndexCommand.lines(s, collection: name).joined(separator: "\n"))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the snapshot's checksums and structure, and measure recall against exact search.")
        @OptionGroup var common: Common

        @Option(name: .long, help: "Vectors sampled as queries (default 200).")
        var sample = 200

        @Option(name: .long, help: "Fail when recall@10 on the sample is below this (default 0.9).")
        var minRecall = 0.9

        func run() throws {
            let (manager, id, name) = try common.open()
            let r = try manager.verify(collectionID: id, sample: sample)
            let ok = r.problems.isEmpty && r.recall >= minRecall
            if common.json {
                print(
                    try IndexCommand.json([
                        "collection": name, "ok": ok, "problems": r.problems, "kind": r.kind?.rawValue ?? NSNull(),
                        "vectors": r.vectors, "sampled": r.sampled, "recall_at_\(r.k)": r.recall,
                        "unreachable_nodes": r.unreachable ?? NSNull(), "seconds": r.seconds
                    ]))
            } else {
                print("collection  \(name)")
                print("index       \(r.kind?.rawValue ?? "unusable"), \(r.vectors) vectors")
                print(String(format: "recall@%d   %.4f on %d sampled vectors (minimum %.2f)", r.k, r.recall, r.sampled, minRecall))
                if let u = r.unreachable { print("unreachable \(u) live nodes cannot be reached from the entry point") }
                for p in r.problems { print("problem     \(p)") }
                print(ok ? "verify: ok" : "verify: FAILED")
            }
            if !ok { throw ExitCode(1) }
        }
    }

    static func printSync(_ report: IndexSyncReport?, collection: String, json: Bool) throws {
        guard let r = report else {
            if json { print(#"{"collection":"\#(collection)","index":null}"#) } else { print("\(collection): no vectors, no index") }
            return
        }
        if json { print(try Self.json(["collection": collection, "index": syncDescription(r)])); return }
        var line = "\(collection): \(r.kind.rawValue) index, \(r.count) vectors"
        if r.tombstones > 0 { line += ", \(r.tombstones) tombstones" }
        line += "; \(r.origin.rawValue)"
        if r.replayed > 0 { line += ", \(r.replayed) changes replayed" }
        if let reason = r.reason { line += " (\(reason))" }
        line += r.saved ? String(format: "; saved in %.2f s", r.seconds) : "; already current"
        print(line)
    }

    static func syncDescription(_ r: IndexSyncReport) -> [String: Any] {
        [
            "kind": r.kind.rawValue, "vectors": r.count, "tombstones": r.tombstones, "origin": r.origin.rawValue,
            "replayed": r.replayed, "saved": r.saved, "reason": r.reason ?? NSNull(), "seconds": r.seconds
        ]
    }

    static func describe(_ s: IndexStats) -> [String: Any] {
        var d: [String: Any] = [
            "kind": s.kind.rawValue, "dimension": s.dimension, "model": s.model, "vectors": s.vectors,
            "nodes": s.nodes, "tombstones": s.tombstones, "snapshot_bytes": s.snapshotBytes,
            "snapshot_parts": s.snapshotParts, "snapshot_seq": s.snapshotSeq,
            "snapshot_created": ISO8601DateFormatter().string(from: s.snapshotCreated), "pending_changes": s.pendingChanges
        ]
        if let h = s.hnsw { d["hnsw"] = ["m": h.m, "ef_construction": h.efConstruction, "ef_search": h.efSearch] }
        return d
    }

    static func lines(_ s: IndexStats, collection: String) -> [String] {
        var out = [
            "collection  \(collection)",
            "index       \(s.kind.rawValue), \(s.vectors) vectors of \(s.dimension) dimensions (\(s.model))"
        ]
        if s.kind == .hnsw {
            out.append(
                String(
                    format: "tombstones  %d of %d nodes (%.1f%%)", s.tombstones, s.nodes,
                    s.nodes == 0 ? 0 : Double(s.tombstones) * 100 / Double(s.nodes)))
        }
        if let h = s.hnsw { out.append("parameters  M \(h.m), ef_construction \(h.efConstruction), ef_search \(h.efSearch)") }
        out.append(
            "snapshot    \(StoreStatsCommand.bytes(Int(s.snapshotBytes))) in \(s.snapshotParts) part\(s.snapshotParts == 1 ? "" : "s"), log sequence \(s.snapshotSeq), \(ISO8601DateFormatter().string(from: s.snapshotCreated))"
        )
        if s.pendingChanges > 0 {
            out.append("pending     \(s.pendingChanges) vector changes since the snapshot (replayed on load; lore index build saves them)")
        }
        return out
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
