/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): each list adds
/// `weight / (k + rank)` for every item it holds, ranks counted from 1. Items in both
/// lists rise; scores need no calibration between lists (cosine and BM25 are not comparable).
public enum RankFusion {
    /// One fused item: its fused score and its 1-based rank in each list that had it.
    public struct Fused: Sendable, Equatable {
        public var id: Int64
        public var score: Double
        public var ranks: [Int?]
    }

    /// Fuses ranked lists of ids (best first). Ties keep the order of first appearance,
    /// scanning the lists rank by rank, so the result is deterministic.
    public static func fuse(_ lists: [[Int64]], weights: [Double], k: Double = 60) -> [Fused] {
        precondition(lists.count == weights.count, "one weight per list")
        var order: [Int64] = []
        var byID: [Int64: Fused] = [:]
        let depth = lists.map(\.count).max() ?? 0
        for rank in 0..<depth {
            for (l, list) in lists.enumerated() where rank < list.count {
                let id = list[rank]
                var item = byID[id] ?? Fused(id: id, score: 0, ranks: Array(repeating: nil, count: lists.count))
                if item.ranks[l] == nil {  // a list naming an id twice counts its best rank only
                    item.ranks[l] = rank + 1
                    item.score += weights[l] / (k + Double(rank + 1))
                }
                if byID[id] == nil { order.append(id) }
                byID[id] = item
            }
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.map { byID[$0]! }.sorted { a, b in
            a.score != b.score ? a.score > b.score : position[a.id]! < position[b.id]!
        }
    }
}
