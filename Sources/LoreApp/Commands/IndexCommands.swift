import Foundation
import Logging
import LoreIndex
import LoreStore

/// What every `lore index` subcommand takes.
public struct IndexRequest: Sendable {
    /// The collection (default: the configuration's).
    public var collection: String?
    /// Print JSON.
    public var json: Bool
    /// Print a line as each snapshot part is written.
    public var verbose: Bool

    /// A request with these options.
    public init(collection: String?, json: Bool, verbose: Bool) {
        self.collection = collection
        self.json = json
        self.verbose = verbose
    }
}

/// `lore index build|rebuild|stats|verify`: the stored vector index of a collection.
public enum IndexMaintenance {
    /// The store, the index manager and the collection's id and name; fails clearly when the
    /// database or the collection is missing.
    public static func open(_ request: IndexRequest, config: LoreConfiguration) throws -> (IndexManager, Int64, String) {
        try config.requireDatabase()
        let store = try Store(path: config.database)
        let name = request.collection ?? config.collection
        guard let id = try store.existingCollectionID(named: name) else {
            throw CommandFailure(description: "no collection named \(name) in \(config.database)")
        }
        return (IndexManager(store: store, settings: try config.index.settings(), logger: Logger(label: "lore.index")), id, name)
    }

    /// `lore index build` (or `rebuild` with `force`): brings the stored index up to date,
    /// writing "wrote part N" to `live` as each part is saved when the request is verbose.
    public static func sync(_ request: IndexRequest, force: Bool, config: LoreConfiguration, live: @escaping LiveOutput) throws
        -> CommandOutput
    {
        let (manager, id, name) = try open(request, config: config)
        let progress: ((Int) -> Void)? = request.verbose ? { part in live("wrote part \(part)\n") } : nil
        let report = try manager.sync(collectionID: id, forceRebuild: force, progress: progress)
        var out = CommandOutput()
        out.print(try syncText(report, collection: name, json: request.json))
        return out
    }

    /// `lore index stats`: the stored index's kind, size, tombstones, parameters and snapshot.
    public static func stats(_ request: IndexRequest, config: LoreConfiguration) throws -> CommandOutput {
        let (manager, id, name) = try open(request, config: config)
        var out = CommandOutput()
        guard let s = try manager.stats(collectionID: id) else {
            out.print(request.json ? #"{"collection":"\#(name)","index":null}"# : "\(name): no index stored (run lore index build)")
            return out
        }
        out.print(
            request.json
                ? try CommandText.json(["collection": name, "index": describe(s)]) : lines(s, collection: name).joined(separator: "\n"))
        return out
    }

    /// `lore index verify`: checksums, structure and recall@10 against exact search on
    /// `sample` vectors; status 1 when a problem is found or recall is below `minRecall`.
    public static func verify(_ request: IndexRequest, sample: Int, minRecall: Double, config: LoreConfiguration) throws -> CommandOutput {
        let (manager, id, name) = try open(request, config: config)
        let r = try manager.verify(collectionID: id, sample: sample)
        let ok = r.problems.isEmpty && r.recall >= minRecall
        var out = CommandOutput()
        if request.json {
            out.print(
                try CommandText.json([
                    "collection": name, "ok": ok, "problems": r.problems, "kind": r.kind?.rawValue ?? NSNull(),
                    "vectors": r.vectors, "sampled": r.sampled, "recall_at_\(r.k)": r.recall,
                    "unreachable_nodes": r.unreachable ?? NSNull(), "seconds": r.seconds
                ]))
        } else {
            out.print("collection  \(name)")
            out.print("index       \(r.kind?.rawValue ?? "unusable"), \(r.vectors) vectors")
            out.print(String(format: "recall@%d   %.4f on %d sampled vectors (minimum %.2f)", r.k, r.recall, r.sampled, minRecall))
            if let u = r.unreachable { out.print("unreachable \(u) live nodes cannot be reached from the entry point") }
            for p in r.problems { out.print("problem     \(p)") }
            out.print(ok ? "verify: ok" : "verify: FAILED")
        }
        out.status = ok ? 0 : 1
        return out
    }

    /// The line (or JSON object) `lore index build` and `rebuild` print for a sync.
    public static func syncText(_ report: IndexSyncReport?, collection: String, json: Bool) throws -> String {
        guard let r = report else {
            return json ? #"{"collection":"\#(collection)","index":null}"# : "\(collection): no vectors, no index"
        }
        if json { return try CommandText.json(["collection": collection, "index": syncDescription(r)]) }
        var line = "\(collection): \(r.kind.rawValue) index, \(r.count) vectors"
        if r.tombstones > 0 { line += ", \(r.tombstones) tombstones" }
        line += "; \(r.origin.rawValue)"
        if r.replayed > 0 { line += ", \(r.replayed) changes replayed" }
        if let reason = r.reason { line += " (\(reason))" }
        line += r.saved ? String(format: "; saved in %.2f s", r.seconds) : "; already current"
        return line
    }

    /// A sync report as a JSON object.
    public static func syncDescription(_ r: IndexSyncReport) -> [String: Any] {
        [
            "kind": r.kind.rawValue, "vectors": r.count, "tombstones": r.tombstones, "origin": r.origin.rawValue,
            "replayed": r.replayed, "saved": r.saved, "reason": r.reason ?? NSNull(), "seconds": r.seconds
        ]
    }

    /// Index statistics as a JSON object.
    public static func describe(_ s: IndexStats) -> [String: Any] {
        var d: [String: Any] = [
            "kind": s.kind.rawValue, "dimension": s.dimension, "model": s.model, "vectors": s.vectors,
            "nodes": s.nodes, "tombstones": s.tombstones, "snapshot_bytes": s.snapshotBytes,
            "snapshot_parts": s.snapshotParts, "snapshot_seq": s.snapshotSeq,
            "snapshot_created": ISO8601DateFormatter().string(from: s.snapshotCreated), "pending_changes": s.pendingChanges
        ]
        if let h = s.hnsw { d["hnsw"] = ["m": h.m, "ef_construction": h.efConstruction, "ef_search": h.efSearch] }
        return d
    }

    /// Index statistics for people, one line per fact (the first names the collection).
    public static func lines(_ s: IndexStats, collection: String) -> [String] {
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
            "snapshot    \(CommandText.bytes(Int(s.snapshotBytes))) in \(s.snapshotParts) part\(s.snapshotParts == 1 ? "" : "s"), log sequence \(s.snapshotSeq), \(ISO8601DateFormatter().string(from: s.snapshotCreated))"
        )
        if s.pendingChanges > 0 {
            out.append("pending     \(s.pendingChanges) vector changes since the snapshot (replayed on load; lore index build saves them)")
        }
        return out
    }
}
