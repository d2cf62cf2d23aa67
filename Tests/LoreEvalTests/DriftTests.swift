import Foundation
import LoreCore
import Testing

@testable import LoreEval

/// Query drift: PSI against values computed by hand, k-means on clusters whose answer is
/// known, and the whole comparison on queries drawn from the corpus's clusters or not.
@Suite("Query drift")
struct DriftTests {
    /// A standard normal draw (Box–Muller) from a seeded generator.
    static func gaussian(_ rng: inout SeededRandom) -> Float {
        let u1 = max(Drift.unit(&rng), 1e-12), u2 = Drift.unit(&rng)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// `n` unit vectors around axis `axis` of a `dim`-dimensional space, with Gaussian noise
    /// of `spread` per coordinate.
    static func cluster(axis: Int, n: Int, dim: Int = 32, spread: Float = 0.12, rng: inout SeededRandom) -> [[Float]] {
        (0..<n).map { _ in
            var v = (0..<dim).map { _ in spread * gaussian(&rng) }
            v[axis] += 1
            return Drift.normalized(v)
        }
    }

    @Test("PSI of identical distributions is 0, whatever the sample sizes")
    func identical() {
        #expect(Drift.psi(reference: [10, 20, 30, 40], current: [10, 20, 30, 40]) == 0)
        #expect(abs(Drift.psi(reference: [10, 20, 30, 40], current: [30, 60, 90, 120])) < 1e-15)
        #expect(Drift.psi(reference: [0, 5, 0], current: [0, 7, 0]) == 0, "buckets empty on both sides add nothing")
    }

    @Test("PSI by hand: shares 0.5/0.3/0.2 against 0.3/0.3/0.4")
    func byHand() {
        // (0.3 − 0.5)·ln(0.3/0.5) + 0 + (0.4 − 0.2)·ln(0.4/0.2) = 0.2·ln(5/3) + 0.2·ln 2 ≈ 0.2408
        let expected = 0.2 * log(5.0 / 3) + 0.2 * log(2.0)
        #expect(abs(Drift.psi(reference: [50, 30, 20], current: [30, 30, 40]) - expected) < 1e-12)
        #expect(abs(expected - 0.2408) < 1e-4)
        #expect(abs(Drift.psi(reference: [30, 30, 40], current: [50, 30, 20]) - expected) < 1e-12, "symmetric")
        // An empty bucket counts as epsilon: reference 1.0/0.0, current 0.5/0.5.
        let eps = 1e-4
        let withEmpty = (0.5 - 1) * log(0.5 / 1) + (0.5 - eps) * log(0.5 / eps)
        #expect(abs(Drift.psi(reference: [10, 0], current: [5, 5], epsilon: eps) - withEmpty) < 1e-12)
    }

    @Test("against the corpus the verdict is the coverage test; against reference queries a PSI within sampling noise is stable")
    func verdictRules() {
        // Questions read far from passages (PSI 1.5) yet within coverage: stable.
        #expect(Drift.verdict(psi: 1.5, noise: 0.23, referenceIsCorpus: true, outOfCoverage: 0.074, significantCoverage: false) == .stable)
        #expect(Drift.verdict(psi: 1.5, noise: 0.23, referenceIsCorpus: true, outOfCoverage: 0.15, significantCoverage: true) == .moderate)
        #expect(Drift.verdict(psi: 0.05, noise: 0.23, referenceIsCorpus: true, outOfCoverage: 0.5, significantCoverage: true) == .drifted)
        #expect(Drift.verdict(psi: 0.2, noise: 0.23, referenceIsCorpus: false, outOfCoverage: 0.5, significantCoverage: true) == .stable)
        #expect(Drift.verdict(psi: 0.2, noise: 0.05, referenceIsCorpus: false, outOfCoverage: 0, significantCoverage: false) == .moderate)
        #expect(Drift.verdict(psi: 0.4, noise: 0.05, referenceIsCorpus: false, outOfCoverage: 0, significantCoverage: false) == .drifted)
    }

    @Test("verdicts follow the usual PSI thresholds: < 0.1 stable, 0.1 to 0.25 moderate, > 0.25 drifted")
    func verdicts() {
        #expect(Drift.verdict(psi: 0) == .stable)
        #expect(Drift.verdict(psi: 0.0999) == .stable)
        #expect(Drift.verdict(psi: 0.1) == .moderate)
        #expect(Drift.verdict(psi: 0.25) == .moderate)
        #expect(Drift.verdict(psi: 0.2501) == .drifted)
        #expect(Drift.Verdict.stable < .moderate && Drift.Verdict.moderate < .drifted)
    }

    @Test("similarities fall in ten buckets over [0, 1], out-of-range values clamped to the ends")
    func buckets() {
        #expect(Drift.histogram([0.05, 0.1, 0.15, 0.999, 1.0, -0.2, 1.3, 0.55]) == [2, 2, 0, 0, 0, 1, 0, 0, 0, 3])
        #expect(Drift.shares([1, 3]) == [0.25, 0.75])
        #expect(Drift.shares([0, 0]) == [0, 0])
    }

    @Test("k-means finds three well-separated clusters: one centroid on each axis, every point with its own cluster")
    func kMeans() {
        var rng = SeededRandom(seed: 7)
        let axes = [0, 5, 11]
        let groups = axes.map { Self.cluster(axis: $0, n: 60, rng: &rng) }
        // Interleaved, so that no cluster is given by the input order.
        let points = (0..<60).flatMap { i in groups.map { $0[i] } }
        let centroids = Drift.kMeans(points, k: 3, seed: 1)
        #expect(centroids.count == 3)
        for c in centroids {
            #expect(abs(Drift.dot(c, c) - 1) < 1e-4, "unit centroids")
            let onAxis = axes.filter { c[$0] > 0.95 }
            #expect(onAxis.count == 1, "a centroid on exactly one axis: \(axes.map { c[$0] })")
        }
        for (g, group) in groups.enumerated() {
            let assigned = Set(group.map { Drift.nearest($0, centroids: centroids).index })
            #expect(assigned.count == 1, "cluster \(g) split over \(assigned)")
        }
        #expect(Drift.kMeans(points, k: 3, seed: 1) == centroids, "the same seed gives the same centroids")
    }

    @Test("k-means asks for no more centroids than there are distinct points")
    func fewPoints() {
        let a: [Float] = [1, 0, 0], b: [Float] = [0, 1, 0]
        #expect(Drift.kMeans([a, a, b], k: 5).count == 2)
        #expect(Drift.kMeans([], k: 3).isEmpty)
    }

    @Test("queries from the corpus's own clusters are stable; queries from elsewhere have drifted and are out of coverage")
    func driftDetected() {
        var rng = SeededRandom(seed: 2024)
        let corpus = [0, 1, 2].flatMap { Self.cluster(axis: $0, n: 200, rng: &rng) }
        let same = [0, 1, 2].flatMap { Self.cluster(axis: $0, n: 60, rng: &rng) }
        let elsewhere = Self.cluster(axis: 20, n: 150, rng: &rng)

        let stable = Drift.compare(corpus: corpus, queries: same, centroids: 3)
        #expect(stable.psi < Drift.moderateFrom, "\(stable.psi)")
        #expect(stable.verdict == .stable)
        #expect(stable.outOfCoverage < 0.15, "\(stable.outOfCoverage)")
        #expect(abs(stable.queryMeanSimilarity - stable.referenceMeanSimilarity) < 0.03)
        #expect(stable.referenceIsCorpus && stable.referenceCount == 600 && stable.queryCount == 180)

        let drifted = Drift.compare(corpus: corpus, queries: elsewhere, centroids: 3)
        #expect(drifted.psi > Drift.driftedAbove, "\(drifted.psi)")
        #expect(drifted.verdict == .drifted)
        #expect(drifted.outOfCoverage > 0.95, "\(drifted.outOfCoverage)")
        #expect(drifted.significant && drifted.outOfCoverageSignificant)
        #expect(!stable.outOfCoverageSignificant)
        #expect(drifted.queryMeanSimilarity < 0.5 * drifted.referenceMeanSimilarity)
        #expect(abs(drifted.referenceOutOfCoverage - 0.05) < 0.02, "about 5% of the corpus is under its own 5th percentile")

        // Half the queries elsewhere: visible, but less than all of them.
        let mixed = Drift.compare(corpus: corpus, queries: Array(same.prefix(75)) + Array(elsewhere.prefix(75)), centroids: 3)
        #expect(mixed.psi > Drift.moderateFrom && mixed.psi < drifted.psi)
        #expect(abs(mixed.outOfCoverage - 0.5) < 0.1)
        #expect(mixed.furthest(75).allSatisfy { $0 >= 75 }, "the furthest queries are the ones from elsewhere")
    }

    @Test("a reference of queries replaces the corpus as the baseline distribution")
    func referenceQueries() {
        var rng = SeededRandom(seed: 99)
        let corpus = [0, 1].flatMap { Self.cluster(axis: $0, n: 150, rng: &rng) }
        // Queries looser than the corpus (more noise): compared with queries as loose, stable.
        let before = [0, 1].flatMap { Self.cluster(axis: $0, n: 150, spread: 0.3, rng: &rng) }
        let after = [0, 1].flatMap { Self.cluster(axis: $0, n: 150, spread: 0.3, rng: &rng) }
        let r = Drift.compare(corpus: corpus, queries: after, reference: before, centroids: 2)
        #expect(!r.referenceIsCorpus && r.referenceCount == 300)
        #expect(r.verdict == .stable, "\(r.psi)")
        #expect(Drift.compare(corpus: corpus, queries: after, centroids: 2).verdict != .stable, "looser than the corpus itself")
    }

    @Test("sampling noise: χ²₀.₉₅(9) · (1/5000 + 1/68) ≈ 0.25; two samples of one distribution exceed it about 5% of the time")
    func noise() {
        // χ²₀.₉₅ with 9 degrees of freedom is 16.919.
        #expect(abs(Drift.noiseLevel(referenceCount: 5000, queryCount: 68, buckets: 10) - 16.919 * (1.0 / 5000 + 1.0 / 68)) < 0.002)
        #expect(Drift.noiseLevel(referenceCount: 0, queryCount: 10, buckets: 10) == .infinity)
        let shares = [0.05, 0.1, 0.15, 0.2, 0.2, 0.15, 0.1, 0.05]
        var rng = SeededRandom(seed: 11)
        func draw(_ n: Int) -> [Int] {
            var counts = [Int](repeating: 0, count: shares.count)
            for _ in 0..<n {
                var u = Drift.unit(&rng), i = 0
                while i < shares.count - 1, u >= shares[i] { u -= shares[i]; i += 1 }
                counts[i] += 1
            }
            return counts
        }
        let level = Drift.noiseLevel(referenceCount: 1000, queryCount: 200, buckets: shares.count)
        let trials = 400
        let exceeded = (0..<trials).filter { _ in Drift.psi(reference: draw(1000), current: draw(200)) > level }.count
        #expect((8...36).contains(exceeded), "\(exceeded) of \(trials) above the 5% noise level")
    }

    @Test("out of coverage beyond chance: the exact binomial tail at 5% (20 queries: 4 or more; 68: 8 or more)")
    func coverage() {
        #expect(Drift.coverageCritical(queryCount: 20) == 4)
        #expect(Drift.coverageCritical(queryCount: 30) == 5)
        #expect(Drift.coverageCritical(queryCount: 68) == 8)
        #expect(Drift.coverageCritical(queryCount: 1) == 1)
    }

    @Test("samples are seeded, sorted, distinct and of the size asked")
    func sampling() {
        let s = Drift.sample(1000, 50, seed: 3)
        #expect(s.count == 50 && Set(s).count == 50 && s == s.sorted() && s.allSatisfy { (0..<1000).contains($0) })
        #expect(Drift.sample(1000, 50, seed: 3) == s)
        #expect(Drift.sample(1000, 50, seed: 4) != s)
        #expect(Drift.sample(5, 10) == [0, 1, 2, 3, 4])
    }

    @Test("query files: plain lines or JSON Lines with a question; blank lines skipped; errors name file and line")
    func queryFiles() throws {
        let text = try DriftQueryFile.parse("How do I bake bread?\n\n  Who won the cup?  \n{not json}\n", file: "q.txt")
        #expect(text.map(\.line) == [1, 3, 4] && text.map(\.query) == ["How do I bake bread?", "Who won the cup?", "{not json}"])
        let jsonl = try DriftQueryFile.parse(
            "\n{\"id\": \"a\", \"question\": \"What is WAL?\"}\n{\"question\": \"Why VACUUM?\"}\n", file: "q.jsonl")
        #expect(jsonl.map(\.line) == [2, 3] && jsonl.map(\.query) == ["What is WAL?", "Why VACUUM?"])
        #expect(throws: EvalError.self) { try DriftQueryFile.parse("{\"question\": \"ok\"}\n{\"q\": \"no\"}\n", file: "q.jsonl") }
        do {
            _ = try DriftQueryFile.parse("{\"question\": \"ok\"}\nplain\n", file: "mixed.jsonl")
            Issue.record("a plain line in JSON Lines must fail")
        } catch { #expect("\(error)".contains("mixed.jsonl:2")) }
        #expect(try DriftQueryFile.parse("\n  \n", file: "empty.txt").isEmpty)
    }
}
