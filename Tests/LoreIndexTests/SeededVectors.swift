import Foundation
import LoreCore
import LoreIndex
import LoreStore

/// Deterministic test vectors shaped like text embeddings: unit vectors scattered around
/// a few hundred cluster centres (real embeddings are far from uniform on the sphere).
struct SeededVectors {
    let dimension: Int
    let count: Int
    /// Row-major, `count × dimension`, every row of length 1.
    let data: [Float]
    let centres: [[Float]]
    let spread: Float

    init(count: Int, dimension: Int = 384, clusters: Int = 200, spread: Float = 0.6, seed: UInt64 = 42) {
        self.count = count
        self.dimension = dimension
        self.spread = spread
        var rng = TestRNG(seed)
        let centres = (0..<clusters).map { _ in Self.unit((0..<dimension).map { _ in rng.gaussian() }) }
        self.centres = centres
        data = Self.sample(count, centres: centres, spread: spread, rng: &rng)
    }

    static func sample(_ count: Int, centres: [[Float]], spread: Float, rng: inout TestRNG) -> [Float] {
        let dimension = centres[0].count
        var data: [Float] = []
        data.reserveCapacity(count * dimension)
        for _ in 0..<count {
            let c = centres[Int(rng.next() % UInt64(centres.count))]
            data += unit((0..<dimension).map { c[$0] + spread * rng.gaussian() / Float(dimension).squareRoot() })
        }
        return data
    }

    /// `count` new vectors from the same distribution (held-out queries).
    func queries(_ count: Int, seed: UInt64) -> [[Float]] {
        var rng = TestRNG(seed)
        let flat = Self.sample(count, centres: centres, spread: spread, rng: &rng)
        return (0..<count).map { Array(flat[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }

    static func unit(_ v: [Float]) -> [Float] {
        var v = v
        VectorKernels.normalize(&v)
        return v
    }

    func row(_ i: Int) -> [Float] { Array(data[(i * dimension)..<((i + 1) * dimension)]) }

    /// Exact top-k labels (label = row index + `labelBase`), by brute force in Double.
    func exact(_ q: [Float], k: Int, labelBase: Int64 = 1, excluding: Set<Int64> = []) -> [Int64] {
        var scored: [(Double, Int64)] = []
        for i in 0..<count where !excluding.contains(Int64(i) + labelBase) {
            var s = 0.0
            for j in 0..<dimension { s += Double(q[j]) * Double(data[i * dimension + j]) }
            scored.append((s, Int64(i) + labelBase))
        }
        return scored.sorted { $0.0 > $1.0 }.prefix(k).map(\.1)
    }
}

/// LoreCore's `SeededRandom` with the draws the index tests need.
struct TestRNG {
    var base: SeededRandom
    init(_ seed: UInt64) { base = SeededRandom(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
    mutating func gaussian() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// A store whose collection holds `vectors` as one-chunk documents; chunk ids are returned
/// in row order.
enum VectorStore {
    static let model = EmbeddingModelInfo(id: "test-model", dimension: 384)

    @discardableResult
    static func fill(
        _ store: Store, collection: String = "default", vectors: SeededVectors, rows: Range<Int>, version: Int = 0,
        model: EmbeddingModelInfo = model
    ) throws -> [Int64] {
        let cid = try store.collectionID(named: collection)
        if try store.embeddingModel(collectionID: cid) == nil { try store.setEmbeddingModel(collectionID: cid, model) }
        try store.connection.transaction {
            for i in rows {
                let text = "document \(i) version \(version)"
                let doc = Document(source: "doc\(i).txt", path: "doc\(i).txt", format: .text, title: "doc \(i)", text: text)
                let chunk = Chunk(ordinal: 0, text: text, tokenCount: 4, headingPath: [], range: 0..<text.utf8.count, page: nil)
                _ = try store.replaceFile(
                    collectionID: cid, path: "doc\(i).txt", file: nil,
                    documents: [PreparedDocument(document: doc, chunks: [chunk], vectors: [vectors.row(i)], model: model.id)])
            }
        }
        return try rows.map { i in
            try store.connection.scalarInt(
                "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source = ? AND d.collection_id = ?",
                [.text("doc\(i).txt"), .int(cid)])!
        }
    }
}
