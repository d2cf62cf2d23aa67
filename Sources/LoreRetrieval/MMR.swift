import LoreIndex

/// Maximal marginal relevance (Carbonell and Goldstein, 1998): picks items one at a time,
/// each maximising `λ·relevance − (1−λ)·(its highest similarity to an item already picked)`.
/// With λ = 1 it is the relevance order; lower λ trades relevance for diversity, so
/// near-duplicates of a picked item fall behind.
public enum MMR {
    /// Indices of the chosen items, in the order chosen.
    /// - Parameters:
    ///   - relevance: per item, higher is better (any scale; compare with `similarity`'s).
    ///   - vectors: per item, an L2-normalised vector, or nil (counts as similar to nothing).
    ///   - k: how many to choose.
    ///   - lambda: the trade-off in [0, 1].
    public static func select(relevance: [Double], vectors: [[Float]?], k: Int, lambda: Double) -> [Int] {
        precondition(relevance.count == vectors.count, "one vector per item")
        let n = relevance.count
        guard n > 0, k > 0 else { return [] }
        var chosen: [Int] = []
        var taken = [Bool](repeating: false, count: n)
        var maxSimilarity = [Double](repeating: -.infinity, count: n)
        while chosen.count < min(k, n) {
            var best = -1
            var bestScore = -Double.infinity
            for i in 0..<n where !taken[i] {
                let penalty = chosen.isEmpty ? 0 : max(maxSimilarity[i], 0)
                let score = lambda * relevance[i] - (1 - lambda) * penalty
                if score > bestScore { best = i; bestScore = score }  // ties: the earlier (better-ranked) item
            }
            taken[best] = true
            chosen.append(best)
            if let v = vectors[best] {
                for i in 0..<n where !taken[i] {
                    if let u = vectors[i] { maxSimilarity[i] = max(maxSimilarity[i], Double(dot(u, v))) }
                }
            }
        }
        return chosen
    }

    /// The dot product (cosine similarity for normalised vectors), on the index's SIMD kernel.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "vectors of different dimensions")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in VectorKernels.dot(pa.baseAddress!, pb.baseAddress!, pa.count) }
        }
    }
}
