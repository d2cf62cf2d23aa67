/// The `k` best (highest-scoring) labels seen so far: a fixed-capacity min-heap whose root
/// is the score a newcomer must beat. Ties keep the earlier label.
public struct TopK {
    public let k: Int
    private(set) var scores: [Float] = []
    private(set) var labels: [Int64] = []

    public init(k: Int) {
        self.k = k
        scores.reserveCapacity(k)
        labels.reserveCapacity(k)
    }

    /// The score a candidate must exceed to enter, or -infinity while there is room.
    @inline(__always) public var threshold: Float { scores.count < k ? -.infinity : scores[0] }

    @inline(__always)
    public mutating func push(_ score: Float, _ label: Int64) {
        guard k > 0 else { return }
        if scores.count < k {
            scores.append(score); labels.append(label)
            var i = scores.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard scores[i] < scores[parent] else { break }
                scores.swapAt(i, parent); labels.swapAt(i, parent)
                i = parent
            }
        } else if score > scores[0] {
            scores[0] = score; labels[0] = label
            siftDown(0)
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = scores.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, scores[l] < scores[m] { m = l }
            if r < n, scores[r] < scores[m] { m = r }
            if m == i { return }
            scores.swapAt(i, m); labels.swapAt(i, m)
            i = m
        }
    }

    public mutating func merge(_ other: TopK) {
        for i in other.scores.indices { push(other.scores[i], other.labels[i]) }
    }

    /// The results, best first.
    public func sorted() -> [SearchHit] {
        zip(scores, labels).map { SearchHit(label: $0.1, score: $0.0) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.label < $1.label }
    }
}
