import Foundation
import LoreCore

/// The evaluation's metrics, each a pure function of a ranked list of retrieved document
/// file names (best first, documents counted once at their best rank) and the gold ones.
public enum EvalMetrics {
    /// Each document once, at its first (best) rank.
    public static func distinct(_ ranked: [String]) -> [String] {
        var seen = Set<String>()
        return ranked.filter { seen.insert($0).inserted }
    }

    /// 1 when a gold document is among the first k, else 0.
    public static func hit(_ ranked: [String], gold: Set<String>, k: Int) -> Double {
        distinct(ranked).prefix(k).contains { gold.contains($0) } ? 1 : 0
    }

    /// The share of the gold documents among the first k.
    public static func recall(_ ranked: [String], gold: Set<String>, k: Int) -> Double {
        guard !gold.isEmpty else { return 0 }
        return Double(Set(distinct(ranked).prefix(k)).intersection(gold).count) / Double(gold.count)
    }

    /// 1 / the rank of the first gold document within the first k (0 when none).
    public static func reciprocalRank(_ ranked: [String], gold: Set<String>, k: Int = 10) -> Double {
        guard let r = firstGoldRank(ranked, gold: gold), r <= k else { return 0 }
        return 1 / Double(r)
    }

    /// nDCG@k with binary relevance: Σ 1/log2(rank + 1) over gold documents in the first k,
    /// divided by the same for an ideal ranking.
    public static func ndcg(_ ranked: [String], gold: Set<String>, k: Int = 10) -> Double {
        guard !gold.isEmpty else { return 0 }
        var dcg = 0.0
        for (i, d) in distinct(ranked).prefix(k).enumerated() where gold.contains(d) { dcg += 1 / log2(Double(i + 2)) }
        let ideal = (0..<min(k, gold.count)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
        return dcg / ideal
    }

    /// The 1-based rank of the first gold document, or nil.
    public static func firstGoldRank(_ ranked: [String], gold: Set<String>) -> Int? {
        distinct(ranked).firstIndex { gold.contains($0) }.map { $0 + 1 }
    }

    /// Whether the answer contains any gold string, ignoring case.
    public static func contains(_ answer: String, any answers: [String]) -> Bool {
        let a = answer.lowercased()
        return answers.contains { !$0.isEmpty && a.contains($0.lowercased()) }
    }

    /// The share of cited documents that are gold (nil when nothing is cited).
    public static func citationPrecision(cited: [String], gold: Set<String>) -> Double? {
        let c = Set(cited)
        guard !c.isEmpty else { return nil }
        return Double(c.intersection(gold).count) / Double(c.count)
    }

    /// The share of gold documents that are cited (nil when there is no gold document).
    public static func citationRecall(cited: [String], gold: Set<String>) -> Double? {
        guard !gold.isEmpty else { return nil }
        return Double(Set(cited).intersection(gold).count) / Double(gold.count)
    }

    /// The p-th percentile (nearest rank) of `xs`.
    public static func percentile(_ xs: [Double], _ p: Double) -> Double { Statistics.percentile(xs, p) }
}
