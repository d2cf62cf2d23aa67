import Foundation
import Logging
import LoreStore

/// A collection's index, loaded and current as of `seq` in the store's change log.
public final class LoadedIndex: @unchecked Sendable {
    public let collectionID: Int64
    public let index: any VectorIndex
    public let model: EmbeddingModelInfo
    /// The change-log sequence number the index reflects.
    public let seq: Int64
    /// How the index was obtained, for logs and reports.
    public let origin: Origin
    /// Log entries replayed on top of the snapshot.
    public let replayed: Int
    public let seconds: Double

    public enum Origin: String, Sendable {
        case snapshot
        case rebuilt
        case built
    }

    init(collectionID: Int64, index: any VectorIndex, model: EmbeddingModelInfo, seq: Int64, origin: Origin, replayed: Int, seconds: Double)
    {
        self.collectionID = collectionID
        self.index = index
        self.model = model
        self.seq = seq
        self.origin = origin
        self.replayed = replayed
        self.seconds = seconds
    }
}

/// What `sync` did.
public struct IndexSyncReport: Sendable {
    public var kind: IndexKind
    public var count: Int
    public var tombstones: Int
    public var origin: LoadedIndex.Origin
    public var replayed: Int
    public var saved: Bool
    public var reason: String?
    public var seconds: Double
}

/// Loads, keeps current, saves and checks the vector index of each collection.
///
/// The store's vectors are the truth; the index is a derived structure kept in the same
/// file. A snapshot is saved in one transaction with the log sequence number it reflects;
/// loading reads the snapshot and replays the log after it. A snapshot that is missing,
/// fails a checksum or a structural check, or was built for another model is rebuilt
/// from the stored vectors with a warning: never a crash, never a wrong answer.
public struct IndexManager {
    public let store: Store
    public let settings: IndexSettings
    public let logger: Logger

    public init(store: Store, settings: IndexSettings = IndexSettings(), logger: Logger = Logger(label: "lore.index")) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    /// The newest log sequence number (the log's autoincrement survives pruning).
    func logHead() throws -> Int64 {
        let seq = try store.connection.scalarInt("SELECT seq FROM sqlite_sequence WHERE name = 'index_log'") ?? 0
        return max(seq, try store.indexLogHead())
    }

    /// Loads the collection's index, current with the store. Nil when it has no vectors yet.
    /// Reads happen in one read transaction, so the snapshot, the log and the vectors agree.
    public func load(collectionID: Int64) throws -> LoadedIndex? {
        try readTransaction { try loadCurrent(collectionID: collectionID) }
    }

    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try store.connection.execute("BEGIN")
        do {
            let r = try body()
            try store.connection.execute("COMMIT")
            return r
        } catch {
            try? store.connection.execute("ROLLBACK")
            throw error
        }
    }

    private func loadCurrent(collectionID: Int64, forceRebuild: Bool = false) throws -> LoadedIndex? {
        let started = Date()
        guard let model = try store.embeddingModel(collectionID: collectionID) else { return nil }
        let head = try logHead()
        if !forceRebuild, let record = try store.indexSnapshot(collectionID: collectionID) {
            do {
                let header = try IndexHeader.parse(record.header)
                guard header.model == model.id, header.dimension == model.dimension else {
                    throw IndexError(
                        "the snapshot was built for \(header.model) (\(header.dimension) dimensions), the collection now uses \(model)")
                }
                let index = try readSnapshot(collectionID: collectionID, header: header)
                let replayed = try replay(into: index, collectionID: collectionID, after: record.seq)
                return LoadedIndex(
                    collectionID: collectionID, index: index, model: model, seq: head, origin: .snapshot,
                    replayed: replayed, seconds: Date().timeIntervalSince(started))
            } catch {
                logger.warning(
                    "index snapshot unusable, rebuilding from the stored vectors",
                    metadata: ["collection_id": "\(collectionID)", "reason": "\(error)"])
                let index = try build(collectionID: collectionID, model: model)
                return LoadedIndex(
                    collectionID: collectionID, index: index, model: model, seq: head, origin: .rebuilt,
                    replayed: 0, seconds: Date().timeIntervalSince(started))
            }
        }
        let index = try build(collectionID: collectionID, model: model)
        return LoadedIndex(
            collectionID: collectionID, index: index, model: model, seq: head, origin: .built,
            replayed: 0, seconds: Date().timeIntervalSince(started))
    }

    /// Reads and checks the stored parts into a new index.
    func readSnapshot(collectionID: Int64, header: IndexHeader) throws -> any VectorIndex {
        guard header.format == IndexHeader.currentFormat else {
            throw IndexError(
                header.format == 1
                    ? "the snapshot is in format 1, whose part checksums predate XXH64 (format \(IndexHeader.currentFormat)); it must be rebuilt"
                    : "the snapshot is in format \(header.format); this build reads format \(IndexHeader.currentFormat)")
        }
        let parts: (SnapshotCodec.Reader) throws -> Void = { reader in
            try store.readIndexParts(collectionID: collectionID) { part, checksum, bytes in
                try reader.consume(part: part, checksum: checksum, bytes)
            }
        }
        switch header.kind {
        case .flat: return try FlatIndex.load(header: header, parts: parts)
        case .hnsw: return try HNSWIndex.load(header: header, parts: parts)
        }
    }

    /// Applies the log after `seq`: each changed chunk is removed, then added back with its
    /// current vector if it still has one in this collection. Returns the entries applied.
    func replay(into index: any VectorIndex, collectionID: Int64, after seq: Int64) throws -> Int {
        let entries = try store.indexLog(after: seq)
        guard !entries.isEmpty else { return 0 }
        var changed: [Int64] = []
        var seen = Set<Int64>()
        for e in entries where seen.insert(e.chunkID).inserted { changed.append(e.chunkID) }
        for id in changed {
            index.remove(label: id)
            if let v = try store.vector(chunkID: id, collectionID: collectionID) {
                guard v.count == index.dimension else {
                    throw IndexError("chunk \(id) has a vector of \(v.count) dimensions; the index has \(index.dimension)")
                }
                index.add(label: id, vector: v)
            }
        }
        return entries.count
    }

    /// Builds an index of the settings' kind from every stored vector of the collection.
    public func build(collectionID: Int64, model: EmbeddingModelInfo, kind: IndexKind? = nil) throws -> any VectorIndex {
        let count = try store.vectorCount(collectionID: collectionID)
        let dim = model.dimension
        var labels: [Int64] = []
        labels.reserveCapacity(count)
        let buffer = AlignedRows.allocate(max(count, 1) * dim)
        defer { buffer.deallocate() }
        try store.forEachVector(collectionID: collectionID) { id, bytes in
            guard bytes.count == dim * 4 else {
                throw IndexError("chunk \(id) has a vector of \(bytes.count / 4) dimensions; the collection's model \(model) has \(dim)")
            }
            guard labels.count < count else { return }
            UnsafeMutableRawPointer(buffer + labels.count * dim).copyMemory(from: bytes.baseAddress!, byteCount: dim * 4)
            labels.append(id)
        }
        let kind = kind ?? settings.kind(for: labels.count)
        switch kind {
        case .flat:
            let index = FlatIndex(dimension: dim, capacity: labels.count)
            index.add(labels: labels, vectors: buffer)
            return index
        case .hnsw:
            let index = HNSWIndex(dimension: dim, parameters: settings.hnsw, capacity: labels.count)
            index.add(labels: labels, vectors: buffer)
            return index
        }
    }

    /// Brings the stored snapshot up to date: loads (or builds) the index, replays the log,
    /// rebuilds when the kind should change or tombstones pass their share, and saves a new
    /// snapshot if anything changed. Runs in one write transaction: a crash leaves the old
    /// snapshot and the log, which still load correctly.
    @discardableResult
    public func sync(collectionID: Int64, forceRebuild: Bool = false, progress: ((Int) -> Void)? = nil) throws -> IndexSyncReport? {
        let started = Date()
        return try store.connection.transaction { () -> IndexSyncReport? in
            guard let loaded = try loadCurrent(collectionID: collectionID, forceRebuild: forceRebuild) else {
                try store.dropIndexSnapshot(collectionID: collectionID)
                return nil
            }
            var index = loaded.index
            var origin = loaded.origin
            var reason: String? = forceRebuild ? "requested" : nil
            let wanted = settings.kind(for: index.count)
            if index.kind != wanted {
                reason = "\(index.count) vectors: \(wanted.rawValue) (threshold \(settings.hnswThreshold))"
                index = try build(collectionID: collectionID, model: loaded.model, kind: wanted)
                origin = .rebuilt
            } else if let h = index as? HNSWIndex, h.tombstoneShare > settings.rebuildTombstoneShare {
                reason = String(
                    format: "tombstones at %.0f%% of nodes (limit %.0f%%)", h.tombstoneShare * 100, settings.rebuildTombstoneShare * 100)
                index = try build(collectionID: collectionID, model: loaded.model, kind: .hnsw)
                origin = .rebuilt
            }
            let saved = origin != .snapshot || loaded.replayed > 0
            if saved { try save(index, collectionID: collectionID, model: loaded.model, seq: loaded.seq, progress: progress) }
            if let reason { logger.info("index rebuilt", metadata: ["collection_id": "\(collectionID)", "reason": "\(reason)"]) }
            return IndexSyncReport(
                kind: index.kind, count: index.count, tombstones: index.tombstones, origin: origin,
                replayed: loaded.replayed, saved: saved, reason: reason, seconds: Date().timeIntervalSince(started))
        }
    }

    /// Saves `index` as the collection's snapshot at `seq`.
    func save(_ index: any VectorIndex, collectionID: Int64, model: EmbeddingModelInfo, seq: Int64, progress: ((Int) -> Void)?) throws {
        guard let capable = index as? any SnapshotCapable else { throw IndexError("\(index.kind) indexes cannot be saved") }
        try capable.withSnapshotSections(model: model.id) { header, sections in
            try store.writeIndexSnapshot(
                collectionID: collectionID, kind: header.kind.rawValue, seq: seq, header: header.json(),
                parts: { emit in try SnapshotCodec.write(sections, partBytes: settings.partBytes, emit: emit) },
                progress: progress)
        }
    }
}

extension IndexManager {
    /// Saves a ready index as the collection's snapshot (for `lore bench index`).
    public func saveForBenchmark(_ index: any VectorIndex, collectionID: Int64, model: EmbeddingModelInfo) throws {
        try save(index, collectionID: collectionID, model: model, seq: try logHead(), progress: nil)
    }

    /// Reads the stored snapshot as it is, without replaying the log (for `lore bench index`).
    public func loadSnapshotForBenchmark(collectionID: Int64) throws -> any VectorIndex {
        guard let record = try store.indexSnapshot(collectionID: collectionID) else { throw IndexError("no snapshot stored") }
        return try readSnapshot(collectionID: collectionID, header: try IndexHeader.parse(record.header))
    }
}
