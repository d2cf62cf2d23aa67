import Foundation

/// CI quality gates: explicit thresholds (`hit@5>=0.9`, `latency_ms_p50<=50`) and a maximum
/// regression of the quality metrics against a baseline report.
public struct Gate: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable { case atLeast = ">=", atMost = "<=" }
    public var metric: String
    public var comparison: Comparison
    public var value: Double

    /// Parses `METRIC>=VALUE` or `METRIC<=VALUE`.
    public init(parsing text: String) throws {
        for c in [Comparison.atLeast, .atMost] {
            let parts = text.components(separatedBy: c.rawValue)
            if parts.count == 2 {
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, let v = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
                    throw EvalError("--gate \(text): expected METRIC>=NUMBER or METRIC<=NUMBER")
                }
                self.metric = name
                self.comparison = c
                self.value = v
                return
            }
        }
        throw EvalError("--gate \(text): expected METRIC>=NUMBER or METRIC<=NUMBER")
    }

    public var description: String { "\(metric)\(comparison.rawValue)\(value)" }
}

/// One failed check: what, the value, the bound, and by how much it missed.
public struct GateFailure: Sendable, Equatable, Codable {
    public var check: String
    public var metric: String
    public var value: Double
    public var bound: Double
    public var shortfall: Double
}

public enum Gates {
    /// The quality metrics a baseline guards (higher is better). Latency is not: it depends
    /// on the machine.
    public static func guarded(_ metric: String) -> Bool {
        metric.hasPrefix("hit@") || metric.hasPrefix("recall@") || metric.hasPrefix("mrr@") || metric.hasPrefix("ndcg@")
            || ["answer_contains", "citation_precision", "citation_recall", "refusal_accuracy"].contains(metric)
    }

    /// Failed gates and regressions beyond `maxRegression` against `baseline`. An unknown
    /// metric in a gate is an error naming it.
    public static func check(_ metrics: [String: Double], gates: [Gate], baseline: [String: Double]?, maxRegression: Double) throws
        -> [GateFailure]
    {
        var out: [GateFailure] = []
        for g in gates {
            guard let v = metrics[g.metric] else {
                throw EvalError("--gate \(g): no metric \(g.metric) (known: \(metrics.keys.sorted().joined(separator: ", ")))")
            }
            switch g.comparison {
            case .atLeast where v < g.value:
                out.append(GateFailure(check: "gate \(g)", metric: g.metric, value: v, bound: g.value, shortfall: g.value - v))
            case .atMost where v > g.value:
                out.append(GateFailure(check: "gate \(g)", metric: g.metric, value: v, bound: g.value, shortfall: v - g.value))
            default: break
            }
        }
        if let baseline {
            for (name, base) in baseline.sorted(by: { $0.key < $1.key }) where guarded(name) {
                guard let v = metrics[name] else { continue }
                let bound = base - maxRegression
                if v < bound - 1e-12 {
                    out.append(
                        GateFailure(
                            check: "regression (baseline \(String(format: "%.3f", base)), at most -\(maxRegression))",
                            metric: name, value: v, bound: bound, shortfall: bound - v))
                }
            }
        }
        return out
    }

    /// The `metrics` object of a report file.
    public static func loadBaseline(_ path: String) throws -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path),
            let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let m = o["metrics"] as? [String: Any]
        else {
            throw EvalError("--baseline \(path): not a report with a metrics object")
        }
        return m.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}
