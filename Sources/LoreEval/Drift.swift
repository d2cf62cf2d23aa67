import Foundation
import LoreCore

/// Query drift seen from the embeddings (`lore eval drift`): have the questions people ask
/// moved away from what the corpus covers?
///
/// The corpus is summarised by `k` centroids (spherical k-means, cosine, over unit vectors,
/// seeded k-means++ start, so the same input gives the same centroids). Every vector is then
/// described by its cosine similarity to the nearest centroid. The similarities of a
/// reference sample (the corpus itself, or queries known to be in scope) and of the queries
/// are counted in fixed buckets, and the two histograms are compared by the population
/// stability index
///
///     PSI = Σ (qᵢ − rᵢ) · ln(qᵢ / rᵢ)
///
/// over the buckets' shares (a bucket empty on one side counts as `epsilon`). The usual
/// reading of PSI, used for the verdict against reference queries: below 0.1 the
/// distributions are the same (**stable**), from 0.1 to 0.25 they have moved somewhat
/// (**moderate** shift), above 0.25 they differ (**drifted**); a PSI within sampling noise
/// is stable. Against the corpus the verdict is the coverage test (see `verdict(psi:noise:…)`).
///
/// Beside the PSI: the mean nearest-centroid similarity on each side, the share of queries
/// below the corpus's 5th percentile of similarity, i.e. further from every centroid than
/// 95% of the corpus ("out of coverage"), and the PSI that sampling alone would reach at
/// these sample sizes (`noiseLevel`; with a few dozen queries it is near 0.25).
///
/// With the corpus as the reference, passages are compared with questions, and questions
/// sit further from the centroids than the passages they are about (on the SQLite
/// documentation, questions about SQLite average 0.57 against the passages' 0.67), so the
/// PSI also measures that difference in kind. Queries known to be in scope (last month's
/// log, the evaluation set) make the better reference for the PSI; the out-of-coverage
/// share is meaningful against the corpus.
public enum Drift {
    /// PSI below this: stable.
    public static let moderateFrom = 0.1
    /// PSI above this: drifted.
    public static let driftedAbove = 0.25
    /// The percentile of the corpus's similarities under which a query is out of coverage.
    public static let coveragePercentile = 5.0

    /// How far the queries have moved, by PSI.
    public enum Verdict: String, Sendable, Codable, Comparable, CaseIterable {
        case stable, moderate, drifted

        private var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }

        /// A phrase for people: `stable`, `moderate shift`, `drifted`.
        public var phrase: String { self == .moderate ? "moderate shift" : rawValue }
    }

    /// The verdict for a PSI: < 0.1 stable, 0.1 to 0.25 moderate, > 0.25 drifted.
    public static func verdict(psi: Double) -> Verdict {
        psi < moderateFrom ? .stable : psi > driftedAbove ? .drifted : .moderate
    }

    /// Out-of-coverage share at and above which queries have drifted (against the corpus).
    public static let driftedCoverage = 0.25

    /// The verdict `lore eval drift` gives.
    ///
    /// - Against reference queries: the PSI thresholds, but a PSI within sampling noise
    ///   (`noiseLevel`) is stable, whatever its size.
    /// - Against the corpus: questions are not passages, and the PSI measures that difference
    ///   too (on-topic SQLite questions reach PSI 1.56 against the SQLite documentation), so
    ///   the verdict is the coverage test: stable unless more queries are out of coverage
    ///   than sampling explains (`coverageCritical`); then drifted from `driftedCoverage`
    ///   of them, moderate below.
    public static func verdict(
        psi: Double, noise: Double, referenceIsCorpus: Bool,
        outOfCoverage: Double, significantCoverage: Bool
    ) -> Verdict {
        if referenceIsCorpus {
            guard significantCoverage else { return .stable }
            return outOfCoverage >= driftedCoverage ? .drifted : .moderate
        }
        return psi <= noise ? .stable : verdict(psi: psi)
    }

    // MARK: - Vectors

    /// `v` scaled to unit length (a zero vector stays zero).
    public static func normalized(_ v: [Float]) -> [Float] {
        let norm = dot(v, v).squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    /// The dot product of two vectors of the same length.
    @inline(__always)
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "vectors of \(a.count) and \(b.count) dimensions")
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                var acc = SIMD8<Float>()
                var i = 0
                let n = x.count
                while i + 8 <= n {
                    acc +=
                        UnsafeRawPointer(x.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(y.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                    i += 8
                }
                var s = acc.sum()
                while i < n { s += x[i] * y[i]; i += 1 }
                return s
            }
        }
    }

    /// The nearest centroid to `v` (the highest dot product; the first on a tie) and the
    /// cosine similarity to it, for unit `v` and unit centroids.
    public static func nearest(_ v: [Float], centroids: [[Float]]) -> (index: Int, similarity: Double) {
        var best = 0
        var bestSim = -Float.infinity
        for (c, centroid) in centroids.enumerated() {
            let s = dot(v, centroid)
            if s > bestSim { bestSim = s; best = c }
        }
        return (best, Double(bestSim))
    }

    /// A uniform Double in [0, 1) from the generator's top 53 bits (the same on every
    /// platform and Swift version).
    static func unit(_ rng: inout SeededRandom) -> Double { Double(rng.next() >> 11) * 0x1p-53 }

    /// Centroids of `vectors` (unit length) by spherical k-means: k-means++ seeding (each
    /// next centre drawn with probability proportional to its distance 1 − cos to the
    /// nearest centre so far), then Lloyd iterations (assign to the most similar centroid;
    /// each centroid becomes the normalised mean of its members) until no assignment
    /// changes or `maxIterations`. A cluster left empty takes the vector furthest from its
    /// own centroid. Of `restarts` such runs, the one whose vectors are most similar to
    /// their centroids in total wins (a single k-means++ start can put two centres in one
    /// cluster). At most `k` centroids, fewer when there are fewer distinct vectors; none
    /// for no vectors. Deterministic for a given `seed`.
    public static func kMeans(_ vectors: [[Float]], k: Int, seed: UInt64 = 42, restarts: Int = 3, maxIterations: Int = 50) -> [[Float]] {
        guard !vectors.isEmpty, k > 0 else { return [] }
        var rng = SeededRandom(seed: seed)
        var best: (centroids: [[Float]], score: Double)? = nil
        for _ in 0..<max(1, restarts) {
            let centroids = lloyd(vectors, start: plusPlus(vectors, k: k, rng: &rng), maxIterations: maxIterations)
            let score = vectors.reduce(0) { $0 + nearest($1, centroids: centroids).similarity }
            if best == nil || score > best!.score + 1e-9 { best = (centroids, score) }
        }
        return best!.centroids
    }

    /// k-means++ seeding: up to `k` distinct starting centres.
    static func plusPlus(_ vectors: [[Float]], k: Int, rng: inout SeededRandom) -> [[Float]] {
        var centroids = [vectors[Int(rng.next() % UInt64(vectors.count))]]
        // Distance of each vector to its nearest centre so far.
        var distance = vectors.map { max(0, 1 - Double(dot($0, centroids[0]))) }
        while centroids.count < min(k, vectors.count) {
            let total = distance.reduce(0, +)
            guard total > 1e-12 else { break }
            var target = unit(&rng) * total
            var chosen = distance.lastIndex { $0 > 0 }!
            for (i, d) in distance.enumerated() where d > 0 {
                target -= d
                if target < 0 { chosen = i; break }
            }
            let c = vectors[chosen]
            centroids.append(c)
            for i in vectors.indices { distance[i] = min(distance[i], max(0, 1 - Double(dot(vectors[i], c)))) }
        }
        return centroids
    }

    /// Lloyd iterations from `start` (spherical: normalised means).
    static func lloyd(_ vectors: [[Float]], start: [[Float]], maxIterations: Int) -> [[Float]] {
        var centroids = start
        let dim = vectors[0].count
        var assignment = [Int](repeating: -1, count: vectors.count)
        var similarity = [Double](repeating: 0, count: vectors.count)
        for _ in 0..<max(1, maxIterations) {
            var changed = false
            for (i, v) in vectors.enumerated() {
                let (c, s) = nearest(v, centroids: centroids)
                if assignment[i] != c { assignment[i] = c; changed = true }
                similarity[i] = s
            }
            if !changed { break }
            var sums = [[Float]](repeating: [Float](repeating: 0, count: dim), count: centroids.count)
            var members = [Int](repeating: 0, count: centroids.count)
            for (i, v) in vectors.enumerated() {
                let c = assignment[i]
                members[c] += 1
                sums[c].withUnsafeMutableBufferPointer { s in for j in 0..<dim { s[j] += v[j] } }
            }
            var taken = Set<Int>()
            for c in centroids.indices {
                if members[c] > 0 {
                    centroids[c] = normalized(sums[c])
                } else {
                    // The worst-served vector (lowest similarity, first on a tie) not already used.
                    let worst = vectors.indices.filter { !taken.contains($0) }.min { (similarity[$0], $0) < (similarity[$1], $1) }!
                    taken.insert(worst)
                    centroids[c] = vectors[worst]
                }
            }
        }
        return centroids
    }

    // MARK: - Buckets and PSI

    /// The bucket of `similarity` among `count` equal buckets over [0, 1]: bucket i holds
    /// [i/count, (i+1)/count); below 0 counts in the first, 1 and above in the last.
    public static func bucket(_ similarity: Double, count: Int) -> Int {
        guard similarity.isFinite else { return 0 }
        return min(count - 1, max(0, Int((similarity * Double(count)).rounded(.down))))
    }

    /// How many of `similarities` fall in each of `count` buckets over [0, 1].
    public static func histogram(_ similarities: [Double], buckets count: Int = 10) -> [Int] {
        var h = [Int](repeating: 0, count: count)
        for s in similarities { h[bucket(s, count: count)] += 1 }
        return h
    }

    /// Counts as shares of their total (all zero for no counts).
    public static func shares(_ counts: [Int]) -> [Double] {
        let total = counts.reduce(0, +)
        return counts.map { total == 0 ? 0 : Double($0) / Double(total) }
    }

    /// The population stability index of `current` against `reference` (bucket counts of the
    /// same buckets): Σ (c − r) · ln(c / r) over the shares, a share of 0 counted as
    /// `epsilon`. 0 for identical distributions; symmetric in its two arguments.
    public static func psi(reference: [Int], current: [Int], epsilon: Double = 1e-4) -> Double {
        precondition(reference.count == current.count, "PSI over \(reference.count) and \(current.count) buckets")
        let r = shares(reference), c = shares(current)
        var total = 0.0
        for i in r.indices {
            let a = max(r[i], epsilon), b = max(c[i], epsilon)
            total += (b - a) * log(b / a)
        }
        return total
    }

    /// The PSI that two samples of one distribution exceed with probability 5%, for samples
    /// of `referenceCount` and `queryCount` spread over `buckets` buckets: for large samples
    /// PSI · (1/n + 1/m)⁻¹ follows a χ² law with `buckets` − 1 degrees of freedom, so this is
    /// χ²₀.₉₅(buckets − 1) · (1/n + 1/m) (the quantile by Wilson and Hilferty's
    /// approximation). With few queries it is large (68 queries against 5,000 vectors over
    /// 10 buckets: 0.25): a PSI below it is what sampling alone gives.
    public static func noiseLevel(referenceCount: Int, queryCount: Int, buckets: Int) -> Double {
        guard referenceCount > 0, queryCount > 0 else { return .infinity }
        let df = Double(max(1, buckets - 1))
        let z = 1.6448536269514722  // the standard normal's 95th percentile
        let h = 2 / (9 * df)
        let chi2 = df * pow(1 - h + z * h.squareRoot(), 3)
        return chi2 * (1 / Double(referenceCount) + 1 / Double(queryCount))
    }

    /// The smallest number of `queryCount` queries out of coverage that sampling alone
    /// reaches at most 5% of the time, when each query is out of coverage with probability
    /// `coveragePercentile`% (as corpus vectors are): the exact binomial tail. A count at
    /// or above it says the queries reach where the corpus does not.
    public static func coverageCritical(queryCount n: Int, rate: Double = coveragePercentile / 100, alpha: Double = 0.05) -> Int {
        guard n > 0 else { return 1 }
        // P(X = i) for i = 0...n, in logs; the tail summed from the top.
        let logP = log(rate), logQ = log(1 - rate)
        var logChoose = 0.0
        var pmf = [Double](repeating: 0, count: n + 1)
        for i in 0...n {
            if i > 0 { logChoose += log(Double(n - i + 1)) - log(Double(i)) }
            pmf[i] = exp(logChoose + Double(i) * logP + Double(n - i) * logQ)
        }
        var tail = 0.0
        for c in stride(from: n, through: 0, by: -1) {
            tail += pmf[c]
            if tail > alpha + 1e-12 { return c + 1 }
        }
        return 0
    }

    // MARK: - The comparison

    /// Everything `lore eval drift` reports.
    public struct Report: Sendable, Equatable {
        /// Centroids fitted on the corpus sample.
        public var centroids: Int
        /// Corpus vectors the centroids were fitted on (and the coverage percentile taken from).
        public var corpusCount: Int
        /// True when the reference is the corpus sample; false when it is reference queries.
        public var referenceIsCorpus: Bool
        public var referenceCount: Int
        public var queryCount: Int
        /// Bucket i covers similarities [edges[i], edges[i+1]).
        public var edges: [Double]
        public var referenceCounts: [Int]
        public var queryCounts: [Int]
        public var psi: Double
        public var verdict: Verdict
        /// The PSI sampling alone would exceed 5% of the time at these sample sizes
        /// (`Drift.noiseLevel`, over the buckets either side fills).
        public var noiseLevel: Double
        public var corpusMeanSimilarity: Double
        public var referenceMeanSimilarity: Double
        public var queryMeanSimilarity: Double
        /// The corpus's 5th percentile of nearest-centroid similarity.
        public var coverageThreshold: Double
        /// The share of queries whose similarity is below `coverageThreshold`.
        public var outOfCoverage: Double
        /// Queries out of coverage from which the share is significant (`Drift.coverageCritical`).
        public var coverageCritical: Int
        /// True when more queries are out of coverage than sampling explains.
        public var outOfCoverageSignificant: Bool { Int((outOfCoverage * Double(queryCount)).rounded()) >= coverageCritical }
        /// The share of the reference below `coverageThreshold` (about 5% for the corpus).
        public var referenceOutOfCoverage: Double
        /// Each query's similarity to its nearest centroid, in query order.
        public var querySimilarities: [Double]
        /// Each query's nearest centroid, in query order.
        public var queryCentroids: [Int]

        /// True when the PSI is above what sampling alone explains.
        public var significant: Bool { psi > noiseLevel }

        public var referenceShares: [Double] { Drift.shares(referenceCounts) }
        public var queryShares: [Double] { Drift.shares(queryCounts) }

        /// The indices of the `n` queries least similar to any centroid, least first (ties in
        /// query order).
        public func furthest(_ n: Int) -> [Int] {
            querySimilarities.indices.sorted { (querySimilarities[$0], $0) < (querySimilarities[$1], $1) }.prefix(n).map { $0 }
        }
    }

    /// Compares `queries` with `reference` (nil: the corpus sample itself) as seen from
    /// centroids of `corpus`. Vectors are normalised here. `corpus` and `queries` must not
    /// be empty, nor `reference` when given.
    public static func compare(
        corpus: [[Float]], queries: [[Float]], reference: [[Float]]? = nil, centroids k: Int = 16,
        buckets: Int = 10, seed: UInt64 = 42
    ) -> Report {
        precondition(!corpus.isEmpty && !queries.isEmpty && reference?.isEmpty != true, "drift needs corpus vectors and queries")
        let corpusUnit = corpus.map(normalized)
        let centres = kMeans(corpusUnit, k: k, seed: seed)
        let corpusSims = corpusUnit.map { nearest($0, centroids: centres).similarity }
        let referenceSims = reference.map { $0.map { nearest(normalized($0), centroids: centres).similarity } } ?? corpusSims
        let queryNearest = queries.map { nearest(normalized($0), centroids: centres) }
        let querySims = queryNearest.map(\.similarity)
        let referenceCounts = histogram(referenceSims, buckets: buckets)
        let queryCounts = histogram(querySims, buckets: buckets)
        let value = psi(reference: referenceCounts, current: queryCounts)
        let threshold = Statistics.percentile(corpusSims, coveragePercentile)
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
        func below(_ xs: [Double]) -> Double { Double(xs.filter { $0 < threshold }.count) / Double(xs.count) }
        var report = Report(
            centroids: centres.count, corpusCount: corpus.count, referenceIsCorpus: reference == nil,
            referenceCount: referenceSims.count, queryCount: queries.count,
            edges: (0...buckets).map { Double($0) / Double(buckets) },
            referenceCounts: referenceCounts, queryCounts: queryCounts, psi: value, verdict: verdict(psi: value),
            noiseLevel: noiseLevel(
                referenceCount: referenceSims.count, queryCount: queries.count,
                buckets: zip(referenceCounts, queryCounts).filter { $0 + $1 > 0 }.count),
            corpusMeanSimilarity: mean(corpusSims), referenceMeanSimilarity: mean(referenceSims), queryMeanSimilarity: mean(querySims),
            coverageThreshold: threshold, outOfCoverage: below(querySims), coverageCritical: coverageCritical(queryCount: queries.count),
            referenceOutOfCoverage: below(referenceSims),
            querySimilarities: querySims, queryCentroids: queryNearest.map(\.index))
        report.verdict = verdict(
            psi: value, noise: report.noiseLevel, referenceIsCorpus: reference == nil,
            outOfCoverage: report.outOfCoverage, significantCoverage: report.outOfCoverageSignificant)
        return report
    }

    /// A seeded sample of `n` of `count` indices (all of them, in order, when `n >= count`),
    /// in increasing order: the first `n` of a seeded Fisher–Yates shuffle.
    public static func sample(_ count: Int, _ n: Int, seed: UInt64 = 42) -> [Int] {
        guard n < count else { return Array(0..<count) }
        var rng = SeededRandom(seed: seed)
        var idx = Array(0..<count)
        for i in 0..<n {
            let j = i + Int(rng.next() % UInt64(count - i))
            idx.swapAt(i, j)
        }
        return idx[0..<n].sorted()
    }
}
