/// One search result: the chunk id an index stores as its label, and the cosine similarity.
public struct SearchHit: Sendable, Equatable, CustomStringConvertible {
    public var label: Int64
    public var score: Float

    public init(label: Int64, score: Float) {
        self.label = label
        self.score = score
    }

    public var description: String { "\(label):\(score)" }
}

/// Which labels a search may return; nil means all.
public typealias AllowSet = Set<Int64>

/// Why an index refused an operation.
public struct IndexError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The kinds of index Lore builds.
public enum IndexKind: String, Sendable, Codable, CaseIterable {
    case flat
    case hnsw
}

/// A nearest-neighbour index over L2-normalised vectors, by inner product (cosine).
///
/// Labels are chunk ids. Adding a label that exists replaces its vector. Every method is
/// safe to call from several threads at once: searches run beside adds and removes.
public protocol VectorIndex: AnyObject, Sendable {
    var kind: IndexKind { get }
    var dimension: Int { get }
    /// Live (not removed) vectors.
    var count: Int { get }
    /// Removed vectors still taking space (HNSW tombstones); 0 for flat.
    var tombstones: Int { get }
    /// Bytes of memory the index holds.
    var memoryBytes: Int { get }

    func add(label: Int64, vector: UnsafePointer<Float>)
    @discardableResult func remove(label: Int64) -> Bool
    func contains(label: Int64) -> Bool
    /// The `k` nearest live vectors to `query`, best first, restricted to `allow` when given.
    func search(_ query: UnsafePointer<Float>, k: Int, allow: AllowSet?) -> [SearchHit]
    /// Every label the index holds, live ones only.
    func labels() -> [Int64]
}

extension VectorIndex {
    public func add(label: Int64, vector: [Float]) {
        precondition(vector.count == dimension, "vector of \(vector.count) dimensions for a \(dimension)-dimensional index")
        vector.withUnsafeBufferPointer { add(label: label, vector: $0.baseAddress!) }
    }

    public func search(_ query: [Float], k: Int, allow: AllowSet? = nil) -> [SearchHit] {
        precondition(query.count == dimension, "query of \(query.count) dimensions for a \(dimension)-dimensional index")
        return query.withUnsafeBufferPointer { search($0.baseAddress!, k: k, allow: allow) }
    }

    /// The same with an HNSW candidate list of `ef` for this search (nil, or a flat index:
    /// the index's own setting).
    public func search(_ query: [Float], k: Int, ef: Int?, allow: AllowSet?) -> [SearchHit] {
        guard let ef, let hnsw = self as? HNSWIndex else { return search(query, k: k, allow: allow) }
        precondition(query.count == dimension, "query of \(query.count) dimensions for a \(dimension)-dimensional index")
        return query.withUnsafeBufferPointer { hnsw.search($0.baseAddress!, k: k, ef: max(ef, k), allow: allow) }
    }
}
