import Foundation
import Testing

@testable import LoreEval

/// The metrics against values computed by hand.
@Suite("Evaluation metrics")
struct MetricsTests {
    // Ranked documents: a, g1, b, a (again), g2, c; gold: g1, g2, g3.
    let ranked = ["a.html", "g1.html", "b.html", "a.html", "g2.html", "c.html"]
    let gold: Set<String> = ["g1.html", "g2.html", "g3.html"]

    @Test("documents count once, at their best rank")
    func distinct() {
        #expect(EvalMetrics.distinct(ranked) == ["a.html", "g1.html", "b.html", "g2.html", "c.html"])
    }

    @Test("hit@k: 1 when a gold document is in the first k (distinct) documents")
    func hit() {
        #expect(EvalMetrics.hit(ranked, gold: gold, k: 1) == 0)
        #expect(EvalMetrics.hit(ranked, gold: gold, k: 2) == 1)
    }

    @Test("recall@k: gold documents found in the first k over all gold documents")
    func recall() {
        #expect(EvalMetrics.recall(ranked, gold: gold, k: 3) == 1.0 / 3)
        // Distinct ranks: g2 is 4th, so recall@4 = 2/3 (the repeated a.html does not push it out).
        #expect(EvalMetrics.recall(ranked, gold: gold, k: 4) == 2.0 / 3)
        #expect(EvalMetrics.recall(ranked, gold: [], k: 4) == 0)
    }

    @Test("MRR@10: one over the first gold rank, 0 beyond 10 or with none")
    func mrr() {
        #expect(EvalMetrics.reciprocalRank(ranked, gold: gold) == 0.5)
        #expect(EvalMetrics.reciprocalRank(ranked, gold: ["c.html"]) == 0.2)
        #expect(EvalMetrics.reciprocalRank(ranked, gold: ["zzz.html"]) == 0)
        let long = (1...12).map { "d\($0)" }
        #expect(EvalMetrics.reciprocalRank(long, gold: ["d11"], k: 10) == 0)
        #expect(EvalMetrics.firstGoldRank(long, gold: ["d11"]) == 11)
    }

    @Test("nDCG@10 with binary relevance: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3 + 1/2)")
    func ndcg() {
        let dcg = 1 / log2(3.0) + 1 / log2(5.0)  // g1 at rank 2, g2 at rank 4
        let ideal = 1 + 1 / log2(3.0) + 1 / log2(4.0)  // three gold at ranks 1-3
        #expect(abs(EvalMetrics.ndcg(ranked, gold: gold) - dcg / ideal) < 1e-12)
        #expect(EvalMetrics.ndcg(["g1.html"], gold: ["g1.html"]) == 1)
        #expect(EvalMetrics.ndcg(["x"], gold: ["g1.html"]) == 0)
    }

    @Test("answer contains a gold string, ignoring case; citation precision and recall over documents")
    func answers() {
        #expect(EvalMetrics.contains("Use PRAGMA journal_mode=WAL.", any: ["journal_mode=wal"]))
        #expect(!EvalMetrics.contains("Use WAL.", any: ["journal_mode", ""]))
        #expect(EvalMetrics.citationPrecision(cited: ["g1.html", "a.html", "g1.html"], gold: gold) == 0.5)
        #expect(EvalMetrics.citationPrecision(cited: [], gold: gold) == nil)
        #expect(EvalMetrics.citationRecall(cited: ["g1.html", "a.html"], gold: gold) == 1.0 / 3)
        #expect(EvalMetrics.citationRecall(cited: ["a.html"], gold: []) == nil)
    }

    @Test("percentiles by nearest rank")
    func percentile() {
        let xs = (1...100).map(Double.init)
        #expect(EvalMetrics.percentile(xs, 50) == 51 && EvalMetrics.percentile(xs, 95) == 95 && EvalMetrics.percentile([], 50) == 0)
    }
}

@Suite("Evaluation gates")
struct GateTests {
    @Test("gates parse METRIC>=VALUE and METRIC<=VALUE; anything else is an error naming it")
    func parse() throws {
        #expect(try Gate(parsing: "recall@5>=0.9") == Gate(parsing: "recall@5 >= 0.9"))
        #expect(try Gate(parsing: "latency_ms_p50<=40").comparison == .atMost)
        #expect { try Gate(parsing: "recall@5>0.9") } throws: { "\($0)".contains("recall@5>0.9") }
        #expect { try Gate(parsing: ">=0.9") } throws: { _ in true }
    }

    @Test("a gate fails by its shortfall; a regression beyond the allowance fails; latency is never baseline-gated")
    func check() throws {
        let m = ["recall@5": 0.80, "mrr@10": 0.70, "latency_ms_p50": 30.0]
        let f = try Gates.check(
            m, gates: [try Gate(parsing: "recall@5>=0.85"), try Gate(parsing: "latency_ms_p50<=40")],
            baseline: ["recall@5": 0.81, "mrr@10": 0.75, "latency_ms_p50": 10], maxRegression: 0.02)
        #expect(f.map(\.metric) == ["recall@5", "mrr@10"])
        #expect(abs(f[0].shortfall - 0.05) < 1e-9 && abs(f[1].shortfall - 0.03) < 1e-9)
        #expect(try Gates.check(m, gates: [], baseline: ["recall@5": 0.81], maxRegression: 0.02).isEmpty)
        #expect { try Gates.check(m, gates: [try Gate(parsing: "nope>=1")], baseline: nil, maxRegression: 0) } throws: {
            "\($0)".contains("nope")
        }
    }
}
