import Foundation
import Testing

@testable import LoreEval

/// The cost of an evaluation run: summed from the answers' `usage.cost` when the backend has
/// a price, absent when none has.
@Suite("evaluation cost")
struct EvalCostTests {
    @Test("priced answers give the run's cost and the cost per question; unpriced runs have no cost metric")
    func costMetrics() throws {
        var a = EvalHTMLReportTests.question("a"), b = EvalHTMLReportTests.question("b")
        a.cost = 0.0012
        b.cost = 0.0008
        let priced = EvalRunner.metrics([a, b], k: 5)
        #expect(abs((priced["cost"] ?? 0) - 0.002) < 1e-12)
        #expect(abs((priced["cost_per_question"] ?? 0) - 0.001) < 1e-12)
        let unpriced = EvalRunner.metrics([EvalHTMLReportTests.question("c")], k: 5)
        #expect(unpriced["cost"] == nil && unpriced["cost_per_question"] == nil)
        // Reports written before the field existed still read; the field round-trips.
        let data = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(EvalRunner.QuestionResult.self, from: data).cost == 0.0012)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["cost"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(EvalRunner.QuestionResult.self, from: old).cost == nil)
        #expect(EvalHTMLReport.format("cost", 0.002) == "0.002000")
    }
}
