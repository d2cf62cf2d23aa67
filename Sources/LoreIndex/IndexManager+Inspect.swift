import Foundation
import LoreStore

/// What `lore stats` and `lore index stats` show about a collection's index.
public struct IndexStats: Sendable {
    public var kind: IndexKind
    public var dimension: Int
    public var model: String
    public var vectors: Int
    public var nodes: Int
    public var tombstones: Int
    public var hnsw: HNSWParameters?
    public var snapshotBytes: Int64
    public var snapshotParts: Int
    public var snapshotSeq: Int64
    public var snapshotCreated: Date
    /// Vector changes (in any collection) logged after the snapshot.
    public var pendingChanges: Int
}

/// The outcome of `lore index verify`.
public struct IndexVerifyReport: Sendable {
    /// Checksum, structure or count problems; empty when sound.
    public var problems: [String]
    public var kind: IndexKind?
    public var vectors: Int
    public var sampled: Int
    public var k: Int
    /// Mean recall@k of the index against exact search over the sample.
    public var recall: Double
    /// HNSW: live nodes that layer 0 cannot reach from the entry point (twins of a
    /// reachable vector are among them; see docs/ARCHITECTURE.md).
    public var unreachable: Int?
    public var seconds: Double
}

extension IndexManager {
    /// The stored snapshot's description, without loading the index.
    public func stats(collectionID: Int64) throws -> IndexStats? {
        guard let record = try store.indexSnapshot(collectionID: collectionID) else { return nil }
        let header = try IndexHeader.parse(record.header)
        let pending = Int(try store.connection.scalarInt("SELECT count(*) FROM index_log WHERE seq > ?", [.int(record.seq)]) ?? 0)
        return IndexStats(
            kind: header.kind, dimension: header.dimension, model: header.model,
            vectors: header.nodes - header.tombstones, nodes: header.nodes, tombstones: header.tombstones,
            hnsw: header.hnsw, snapshotBytes: record.bytes, snapshotParts: record.parts, snapshotSeq: record.seq,
            snapshotCreated: record.createdAt, pendingChanges: pending)
    }

    /// Checks every part's checksum and the structure, that the index holds exactly the
    /// stored vectors, and its recall@k on a sample of them against exact search.
    public func verify(collectionID: Int64, sample: Int = 200, k: Int = 10) throws -> IndexVerifyReport {
        let started = Date()
        var problems: [String] = []
        guard let model = try store.embeddingModel(collectionID: collectionID) else {
            return IndexVerifyReport(problems: [], kind: nil, vectors: 0, sampled: 0, k: k, recall: 1, unreachable: nil, seconds: 0)
        }
        var index: (any VectorIndex)? = nil
        if let record = try store.indexSnapshot(collectionID: collectionID) {
            do {
                let header = try IndexHeader.parse(record.header)
                if header.model != model.id || header.dimension != model.dimension {
                    problems.append(
                        "the snapshot was built for \(header.model) (\(header.dimension) dimensions), the collection uses \(model)")
                } else {
                    let loaded = try readSnapshot(collectionID: collectionID, header: header)
                    _ = try replay(into: loaded, collectionID: collectionID, after: record.seq)
                    index = loaded
                }
            } catch {
                problems.append("\(error)")
            }
        } else {
            problems.append("no index snapshot is stored (run `lore index build`)")
        }
        let exact = try build(collectionID: collectionID, model: model, kind: .flat) as! FlatIndex
        guard let index else {
            return IndexVerifyReport(
                problems: problems, kind: nil, vectors: exact.count, sampled: 0, k: k, recall: 0,
                unreachable: nil, seconds: Date().timeIntervalSince(started))
        }
        if index.count != exact.count {
            problems.append("the index holds \(index.count) vectors, the store \(exact.count)")
        }
        let all = exact.labels().sorted()
        let step = max(1, all.count / max(sample, 1))
        var total = 0.0
        var sampled = 0
        for i in stride(from: 0, to: all.count, by: step) where sampled < sample {
            guard let q = exact.vector(label: all[i]) else { continue }
            let truth = Set(exact.search(q, k: k).map(\.label))
            let got = Set(index.search(q, k: k).map(\.label))
            total += Double(truth.intersection(got).count) / Double(max(truth.count, 1))
            sampled += 1
        }
        return IndexVerifyReport(
            problems: problems, kind: index.kind, vectors: index.count, sampled: sampled, k: k,
            recall: sampled == 0 ? 1 : total / Double(sampled),
            unreachable: (index as? HNSWIndex)?.unreachableLiveNodes().unreachable,
            seconds: Date().timeIntervalSince(started))
    }
}
