import Foundation
import LoreCore

/// What an index stores about itself beside its parts, as JSON in the snapshot row.
public struct IndexHeader: Codable, Sendable, Equatable {
    /// The snapshot format this build writes and reads. 1: parts checksummed with a
    /// home-made 64-bit hash (before XXH64); 2: parts checksummed with XXH64 (`Checksum`).
    /// A snapshot of another format is not read: the index is rebuilt from the stored
    /// vectors, with a warning, and the next `sync` saves it in this format.
    public static let currentFormat = 2
    public var format = IndexHeader.currentFormat
    public var kind: IndexKind
    public var dimension: Int
    /// The embedding model of the vectors (the collection's binding when saved).
    public var model: String
    /// Nodes (HNSW, tombstones included) or rows (flat).
    public var nodes: Int
    /// Removed nodes still in the graph (HNSW).
    public var tombstones: Int = 0
    public var hnsw: HNSWParameters?
    public var entryPoint: Int?
    public var maxLevel: Int?
    public var recordBytes: Int?
    public var upperLinks: Int?
    public var rngState: UInt64?

    func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(self), as: UTF8.self)
    }

    static func parse(_ text: String) throws -> IndexHeader {
        do { return try JSONDecoder().decode(IndexHeader.self, from: Data(text.utf8)) } catch {
            throw IndexError("the index snapshot's header is unreadable: \(error)")
        }
    }
}

/// Saving to and loading from snapshot parts, for both kinds of index.
protocol SnapshotCapable: VectorIndex {
    /// The header and the memory sections to store; called under the index's exclusive lock.
    func withSnapshotSections<T>(model: String, _ body: (IndexHeader, [SnapshotCodec.Section]) throws -> T) rethrows -> T
}

extension FlatIndex: SnapshotCapable {
    func withSnapshotSections<T>(model: String, _ body: (IndexHeader, [SnapshotCodec.Section]) throws -> T) rethrows -> T {
        try lock.write {
            let n = rowLabels.count
            let header = IndexHeader(kind: .flat, dimension: dimension, model: model, nodes: n)
            return try rowLabels.withUnsafeMutableBytes { labels in
                try body(
                    header,
                    [
                        SnapshotCodec.Section(UnsafeMutableRawPointer(rows.base), n * dimension * 4),
                        SnapshotCodec.Section(labels.baseAddress ?? UnsafeMutableRawPointer(rows.base), n * 8)
                    ])
            }
        }
    }

    /// A flat index filled from stored parts.
    static func load(header: IndexHeader, parts: (SnapshotCodec.Reader) throws -> Void) throws -> FlatIndex {
        let index = FlatIndex(dimension: header.dimension, capacity: header.nodes)
        var labels = [Int64](repeating: 0, count: header.nodes)
        try labels.withUnsafeMutableBytes { raw in
            let reader = SnapshotCodec.Reader([
                SnapshotCodec.Section(UnsafeMutableRawPointer(index.rows.base), header.nodes * header.dimension * 4),
                SnapshotCodec.Section(raw.baseAddress ?? UnsafeMutableRawPointer(index.rows.base), header.nodes * 8)
            ])
            try parts(reader)
            try reader.finish()
        }
        index.rowLabels = labels
        index.rowOf.reserveCapacity(labels.count)
        for (r, label) in labels.enumerated() { index.rowOf[label] = r }
        guard index.rowOf.count == labels.count else { throw IndexError("the flat index snapshot holds a label twice") }
        return index
    }
}

extension HNSWIndex: SnapshotCapable {
    func withSnapshotSections<T>(model: String, _ body: (IndexHeader, [SnapshotCodec.Section]) throws -> T) rethrows -> T {
        try storageLock.write {
            let n = nodeCount
            var upperTotal = 0
            for i in 0..<n { upperTotal += Int(nodeLevels[i]) * (maxM + 1) }
            let block = UnsafeMutablePointer<UInt32>.allocate(capacity: max(upperTotal, 1))
            defer { block.deallocate() }
            var at = 0
            for i in 0..<n where nodeLevels[i] > 0 {
                let c = Int(nodeLevels[i]) * (maxM + 1)
                (block + at).update(from: upper[i]!, count: c)
                at += c
            }
            let header = IndexHeader(
                kind: .hnsw, dimension: dimension, model: model, nodes: n, tombstones: removedCount, hnsw: parameters,
                entryPoint: entryPoint, maxLevel: maxLevel, recordBytes: recordBytes,
                upperLinks: upperTotal, rngState: rng.state)
            return try body(
                header,
                [
                    SnapshotCodec.Section(records, n * recordBytes),
                    SnapshotCodec.Section(UnsafeMutableRawPointer(nodeLabels), n * 8),
                    SnapshotCodec.Section(UnsafeMutableRawPointer(nodeLevels), n * 4),
                    SnapshotCodec.Section(UnsafeMutableRawPointer(flags), n),
                    SnapshotCodec.Section(UnsafeMutableRawPointer(block), upperTotal * 4)
                ])
        }
    }

    /// An HNSW index read from stored parts into buffers sized from the header: one block
    /// for all records and one for all upper-layer links, no allocation per node.
    static func load(header: IndexHeader, parts: (SnapshotCodec.Reader) throws -> Void) throws -> HNSWIndex {
        guard let parameters = header.hnsw, let entry = header.entryPoint, let top = header.maxLevel,
            let recordBytes = header.recordBytes, let upperTotal = header.upperLinks, let rngState = header.rngState
        else { throw IndexError("the HNSW snapshot's header is incomplete") }
        let index = HNSWIndex(dimension: header.dimension, parameters: parameters, capacity: header.nodes)
        guard recordBytes == index.recordBytes else {
            throw IndexError("the HNSW snapshot's record layout (\(recordBytes) bytes) is not this build's (\(index.recordBytes))")
        }
        let n = header.nodes
        let pool = UnsafeMutablePointer<UInt32>.allocate(capacity: max(upperTotal, 1))
        index.upperPool = pool
        index.upperPoolCount = upperTotal
        let reader = SnapshotCodec.Reader([
            SnapshotCodec.Section(index.records, n * recordBytes),
            SnapshotCodec.Section(UnsafeMutableRawPointer(index.nodeLabels), n * 8),
            SnapshotCodec.Section(UnsafeMutableRawPointer(index.nodeLevels), n * 4),
            SnapshotCodec.Section(UnsafeMutableRawPointer(index.flags), n),
            SnapshotCodec.Section(UnsafeMutableRawPointer(pool), upperTotal * 4)
        ])
        try parts(reader)
        try reader.finish()
        // Check the structure before trusting it: levels, links and the entry point in range.
        var at = 0
        index.labelToNode.reserveCapacity(n)
        var removed = 0
        for i in 0..<n {
            let level = Int(index.nodeLevels[i])
            guard level >= 0, level <= max(top, 0) else { throw IndexError("node \(i) has level \(level) above the top \(top)") }
            if level > 0 {
                index.upper[i] = pool + at
                at += level * (index.maxM + 1)
                guard at <= upperTotal else { throw IndexError("the upper links overrun their block") }
            }
            index.flags[i] &= HNSWIndex.removedFlag
            if index.flags[i] != 0 { removed += 1 } else { index.labelToNode[index.nodeLabels[i]] = UInt32(i) }
        }
        guard at == upperTotal else { throw IndexError("the upper links do not match the levels") }
        index.nodeCount = n
        for i in 0..<n {
            for l in 0...Int(index.nodeLevels[i]) {
                let list = index.links(i, l)
                let c = Int(list.pointee)
                guard c <= (l == 0 ? index.maxM0 : index.maxM) else { throw IndexError("node \(i) has \(c) links on layer \(l)") }
                for j in 1..<(c + 1) where Int(list[j]) >= n { throw IndexError("node \(i) links to node \(list[j]) of \(n)") }
            }
        }
        guard n == 0 ? entry == -1 : (0..<n).contains(entry) else { throw IndexError("the entry point \(entry) is out of range") }
        index.entryPoint = entry
        index.maxLevel = top
        index.removedCount = removed
        index.rng = SeededRandom(seed: rngState)
        return index
    }
}
