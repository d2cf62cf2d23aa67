import LoreRetrieval
import Testing

/// Reciprocal rank fusion: each list adds weight / (k + rank); agreement between lists wins.
@Suite("Reciprocal rank fusion")
struct RankFusionTests {
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

    @Test("scores follow the formula, and an item in both lists outranks items in one")
    func formula() {
        let fused = RankFusion.fuse([[1, 2, 3], [3, 4, 1]], weights: [1, 1], k: 60)
        let byID = Dictionary(uniqueKeysWithValues: fused.map { ($0.id, $0) })
        let both: Double = 1.0 / 61 + 1.0 / 63
        let one: Double = 1.0 / 62
        #expect(close(byID[1]!.score, both))
        #expect(close(byID[3]!.score, both))
        #expect(close(byID[2]!.score, one))
        #expect(byID[4]!.ranks == [nil, 2])
        #expect(Set(fused.prefix(2).map(\.id)) == [1, 3])
        #expect(fused.count == 4)
        // Sorted by score, best first.
        #expect(zip(fused, fused.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test("ties keep the order of first appearance, so fusion is deterministic")
    func ties() {
        let fused = RankFusion.fuse([[1, 2], [3, 4]], weights: [1, 1])
        #expect(fused.map(\.id) == [1, 3, 2, 4])
    }

    @Test("weights shift the balance between the lists")
    func weights() {
        let lists: [[Int64]] = [[1, 2, 3], [3, 2, 1]]
        #expect(RankFusion.fuse(lists, weights: [3, 1]).first?.id == 1)
        #expect(RankFusion.fuse(lists, weights: [1, 3]).first?.id == 3)
        // A zero weight ignores a list's ranking (its items still appear).
        #expect(RankFusion.fuse(lists, weights: [1, 0]).map(\.id) == [1, 2, 3])
    }

    @Test("an id listed twice in one list counts once, at its best rank")
    func duplicates() {
        let fused = RankFusion.fuse([[7, 7, 8]], weights: [1], k: 60)
        let expected: Double = 1.0 / 61
        #expect(close(fused.first { $0.id == 7 }!.score, expected))
    }
}
