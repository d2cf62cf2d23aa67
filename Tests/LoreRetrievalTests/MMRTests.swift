import LoreCore
import LoreRetrieval
import Testing

/// MMR trades relevance for diversity: λ = 1 is the relevance order; lower λ keeps
/// near-duplicates of a chosen item out.
@Suite("Maximal marginal relevance")
struct MMRTests {
    /// A deterministic generator (SplitMix64) for synthetic vectors.
    struct Random {
        var base: SeededRandom
        init(state: UInt64) { base = SeededRandom(seed: state) }
        mutating func next() -> Double { Double(base.next() >> 11) / Double(1 << 53) }
        mutating func unit(_ d: Int) -> [Float] { normalise((0..<d).map { _ in Float(next() * 2 - 1) }) }
    }

    static func normalise(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / n }
    }

    /// `clusters` topics, each with `size` near-duplicate vectors; relevance decreasing with
    /// position, and a whole cluster more relevant than the next.
    static func clustered(clusters: Int, size: Int, seed: UInt64) -> (relevance: [Double], vectors: [[Float]?], cluster: [Int]) {
        var r = Random(state: seed)
        var relevance: [Double] = [], vectors: [[Float]?] = [], cluster: [Int] = []
        for c in 0..<clusters {
            let centre = r.unit(32)
            for j in 0..<size {
                let noise = r.unit(32)
                vectors.append(normalise(zip(centre, noise).map { $0 + 0.05 * $1 }))
                relevance.append(1.0 - Double(c * size + j) * 0.01)
                cluster.append(c)
            }
        }
        return (relevance, vectors, cluster)
    }

    static func maxPairwise(_ chosen: [Int], _ vectors: [[Float]?]) -> Float {
        var m: Float = -1
        for a in chosen { for b in chosen where b > a { m = max(m, MMR.dot(vectors[a]!, vectors[b]!)) } }
        return m
    }

    @Test("with λ = 1 it is the relevance order")
    func relevanceOnly() {
        let (relevance, vectors, _) = Self.clustered(clusters: 3, size: 4, seed: 1)
        #expect(MMR.select(relevance: relevance, vectors: vectors, k: 5, lambda: 1) == [0, 1, 2, 3, 4])
    }

    @Test("with λ = 0.5 it takes one item per topic before any near-duplicate", arguments: [UInt64(1), 2, 3, 4, 5])
    func diversity(seed: UInt64) {
        let (relevance, vectors, cluster) = Self.clustered(clusters: 4, size: 5, seed: seed)
        let chosen = MMR.select(relevance: relevance, vectors: vectors, k: 4, lambda: 0.5)
        #expect(Set(chosen.map { cluster[$0] }).count == 4, "chosen \(chosen)")
        // The diversity property: the most similar pair among MMR's picks is less similar than
        // the most similar pair among the top k by relevance.
        let top = Array(0..<4)
        #expect(Self.maxPairwise(chosen, vectors) < Self.maxPairwise(top, vectors))
        // Each cluster's representative is its most relevant item.
        for i in chosen { #expect(!chosen.contains { cluster[$0] == cluster[i] && relevance[$0] > relevance[i] && $0 != i }) }
    }

    @Test("it never picks an item twice, and stops at the number of items")
    func bounds() {
        let (relevance, vectors, _) = Self.clustered(clusters: 2, size: 2, seed: 9)
        let chosen = MMR.select(relevance: relevance, vectors: vectors, k: 10, lambda: 0.3)
        #expect(chosen.count == 4 && Set(chosen).count == 4)
        #expect(MMR.select(relevance: [], vectors: [], k: 3, lambda: 0.5).isEmpty)
    }

    @Test("items without vectors are ranked by relevance alone")
    func missingVectors() {
        let chosen = MMR.select(relevance: [0.9, 0.8, 0.7], vectors: [nil, nil, nil], k: 3, lambda: 0.5)
        #expect(chosen == [0, 1, 2])
    }
}
