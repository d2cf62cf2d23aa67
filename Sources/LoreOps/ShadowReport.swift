import Foundation
import LoreCore
import LoreEval
import LoreQuery
import LoreStore

/// What the shadow pairs of one candidate say (`lore shadow report`).
public struct ShadowSummary: Sendable, Encodable {
    public var candidate: String
    public var pairs: Int
    public var meanOverlapAtK: Double
    public var meanCitedAgreement: Double
    public var refusalAgreement: Double
    /// Mean and 10th percentile of the answers' cosine similarity (nil: none measured).
    public var meanAnswerSimilarity: Double?
    public var p10AnswerSimilarity: Double?
    public var primaryP50Ms: Double, candidateP50Ms: Double
    public var primaryP95Ms: Double, candidateP95Ms: Double
    public var primaryMeanTokens: Double, candidateMeanTokens: Double
    public var primaryRefusalRate: Double, candidateRefusalRate: Double
    /// Answer-similarity counts in ten buckets over [0, 1] (values below 0 count in the first).
    public var similarityBuckets: [Int]
    /// The pairs whose answers differ most (lowest similarity, then lowest overlap).
    public var mostDifferent: [ShadowPair]

    enum CodingKeys: String, CodingKey {
        case candidate, pairs, meanOverlapAtK = "mean_overlap_at_k", meanCitedAgreement = "mean_cited_agreement"
        case refusalAgreement = "refusal_agreement", meanAnswerSimilarity = "mean_answer_similarity"
        case p10AnswerSimilarity = "p10_answer_similarity", primaryP50Ms = "primary_p50_ms", candidateP50Ms = "candidate_p50_ms"
        case primaryP95Ms = "primary_p95_ms", candidateP95Ms = "candidate_p95_ms", primaryMeanTokens = "primary_mean_tokens"
        case candidateMeanTokens = "candidate_mean_tokens", primaryRefusalRate = "primary_refusal_rate"
        case candidateRefusalRate = "candidate_refusal_rate", similarityBuckets = "similarity_buckets", mostDifferent = "most_different"
    }

    /// Summarises `pairs`, all of one candidate; nil when there are none.
    public static func of(_ pairs: [ShadowPair], shown: Int = 5) -> ShadowSummary? {
        guard let first = pairs.first else { return nil }
        func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
        let n = Double(pairs.count)
        let similarities = pairs.compactMap(\.answerSimilarity)
        var buckets = [Int](repeating: 0, count: 10)
        for s in similarities { buckets[min(9, max(0, Int(s * 10)))] += 1 }
        let different = pairs.sorted {
            ($0.answerSimilarity ?? 2, $0.overlapAtK, $0.requestID) < ($1.answerSimilarity ?? 2, $1.overlapAtK, $1.requestID)
        }
        return ShadowSummary(
            candidate: first.candidate, pairs: pairs.count, meanOverlapAtK: mean(pairs.map(\.overlapAtK)),
            meanCitedAgreement: mean(pairs.map(\.citedAgreement)),
            refusalAgreement: Double(pairs.filter(\.refusalAgreement).count) / n,
            meanAnswerSimilarity: similarities.isEmpty ? nil : mean(similarities),
            p10AnswerSimilarity: similarities.isEmpty ? nil : Statistics.percentile(similarities, 10),
            primaryP50Ms: Statistics.percentile(pairs.map(\.primaryMs), 50),
            candidateP50Ms: Statistics.percentile(pairs.map(\.candidateMs), 50),
            primaryP95Ms: Statistics.percentile(pairs.map(\.primaryMs), 95),
            candidateP95Ms: Statistics.percentile(pairs.map(\.candidateMs), 95),
            primaryMeanTokens: mean(pairs.map { Double($0.primaryTokens) }),
            candidateMeanTokens: mean(pairs.map { Double($0.candidateTokens) }),
            primaryRefusalRate: Double(pairs.filter(\.primaryRefused).count) / n,
            candidateRefusalRate: Double(pairs.filter(\.candidateRefused).count) / n, similarityBuckets: buckets,
            mostDifferent: Array(different.prefix(shown)))
    }
}

/// The shadow report as text and as one self-contained HTML page (an inline SVG chart of
/// the answers' similarity, the measures side by side, the most different answers).
public enum ShadowReport {
    /// One summary per candidate, the candidate with the most pairs first.
    public static func summaries(_ pairs: [ShadowPair], shown: Int = 5) -> [ShadowSummary] {
        Dictionary(grouping: pairs, by: \.candidate).values.compactMap { ShadowSummary.of($0, shown: shown) }
            .sorted { ($0.pairs, $1.candidate) > ($1.pairs, $0.candidate) }
    }

    public static func text(_ summaries: [ShadowSummary]) -> String {
        guard !summaries.isEmpty else { return "no shadow pairs yet (shadow: in the configuration names a candidate)" }
        var lines: [String] = []
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        func ms(_ x: Double) -> String { String(format: "%.1f ms", x) }
        for s in summaries {
            lines.append("candidate \(s.candidate): \(s.pairs) pair\(s.pairs == 1 ? "" : "s")")
            lines.append("  retrieval overlap@k      \(f(s.meanOverlapAtK))")
            lines.append("  cited-source agreement   \(f(s.meanCitedAgreement))")
            lines.append("  refusal agreement        \(f(s.refusalAgreement))")
            lines.append(
                "  answer similarity        "
                    + (s.meanAnswerSimilarity.map { "\(f($0)) mean, \(f(s.p10AnswerSimilarity ?? 0)) at p10" } ?? "not measured"))
            lines.append("                           primary      candidate")
            lines.append(
                "  latency p50              \(ms(s.primaryP50Ms).padding(toLength: 12, withPad: " ", startingAt: 0)) \(ms(s.candidateP50Ms))"
            )
            lines.append(
                "  latency p95              \(ms(s.primaryP95Ms).padding(toLength: 12, withPad: " ", startingAt: 0)) \(ms(s.candidateP95Ms))"
            )
            lines.append(
                "  tokens (mean)            \(String(format: "%.1f", s.primaryMeanTokens).padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%.1f", s.candidateMeanTokens))"
            )
            lines.append(
                "  refusal rate             \(f(s.primaryRefusalRate).padding(toLength: 12, withPad: " ", startingAt: 0)) \(f(s.candidateRefusalRate))"
            )
            lines.append("  most different answers:")
            for p in s.mostDifferent {
                lines.append(
                    "    \(p.requestID)  similarity \(p.answerSimilarity.map(f) ?? "-")  overlap \(f(p.overlapAtK))  \(snippet(p.question, 70))"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The page: per candidate, the measures, the similarity histogram and the most different answers.
    public static func html(_ summaries: [ShadowSummary], generated: Date = Date()) -> String {
        let e = EvalHTMLReport.escape
        var body = ""
        for s in summaries {
            body += "<section><h2>Candidate <code>\(e(s.candidate))</code>: \(s.pairs) pairs</h2>\n"
            body += "<table><tr><th>measure</th><th>primary</th><th>candidate</th></tr>\n"
            func row(_ name: String, _ a: String, _ b: String) -> String {
                "<tr><td>\(e(name))</td><td>\(e(a))</td><td>\(e(b))</td></tr>\n"
            }
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            body += row("retrieval overlap@k", f(s.meanOverlapAtK), "")
            body += row("cited-source agreement", f(s.meanCitedAgreement), "")
            body += row("refusal agreement", f(s.refusalAgreement), "")
            body += row("answer similarity (mean)", s.meanAnswerSimilarity.map(f) ?? "not measured", "")
            body += row("latency p50 (ms)", String(format: "%.1f", s.primaryP50Ms), String(format: "%.1f", s.candidateP50Ms))
            body += row("latency p95 (ms)", String(format: "%.1f", s.primaryP95Ms), String(format: "%.1f", s.candidateP95Ms))
            body += row("tokens (mean)", String(format: "%.1f", s.primaryMeanTokens), String(format: "%.1f", s.candidateMeanTokens))
            body += row("refusal rate", f(s.primaryRefusalRate), f(s.candidateRefusalRate))
            body += "</table>\n<h3>Answer similarity</h3>\n" + histogram(s.similarityBuckets) + "\n<h3>Most different answers</h3>\n"
            for p in s.mostDifferent {
                body += "<div class=\"pair\"><p><b>\(e(p.question))</b> <small>\(e(p.requestID)), similarity "
                body += "\(p.answerSimilarity.map(f) ?? "-"), overlap \(f(p.overlapAtK))</small></p>"
                body += "<div class=\"cols\"><div><h4>primary</h4><p>\(e(p.primaryAnswer))</p></div>"
                body += "<div><h4>candidate</h4><p>\(e(p.candidateAnswer))</p></div></div></div>\n"
            }
            body += "</section>\n"
        }
        if summaries.isEmpty { body = "<p>No shadow pairs yet.</p>" }
        let stamp = ISO8601DateFormatter().string(from: generated)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Lore shadow report</title>
            <style>
            body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}
            .pair{border-top:1px solid #ddd;padding:.5em 0}.cols{display:flex;gap:2em}.cols>div{flex:1}
            h4{margin:.2em 0}svg{background:#fafafa;border:1px solid #ddd}
            </style></head><body>
            <h1>Lore shadow report</h1><p>Generated \(stamp).</p>
            \(body)
            </body></html>

            """
    }

    /// Ten bars, one per similarity bucket over [0, 1] (`class="bar"`, as
    /// `scripts/screenshot-report` finds a chart's bars in a screenshot).
    static func histogram(_ buckets: [Int]) -> String {
        let width = 600.0, height = 200.0, top = 10.0, bottom = 30.0
        let peak = max(1, buckets.max() ?? 1)
        let bar = width / Double(max(1, buckets.count))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" "
        svg += "aria-label=\"answer similarity histogram\">"
        for (i, n) in buckets.enumerated() {
            let h = (height - top - bottom) * Double(n) / Double(peak)
            let x = Double(i) * bar
            svg += String(
                format:
                    "<rect class=\"bar\" data-series=\"0\" data-label=\"answer similarity\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a78b0\"><title>%.1f-%.1f: %d</title></rect>",
                x + 4, height - bottom - h, bar - 8, h, Double(i) / 10, Double(i + 1) / 10, n)
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%.1f</text>", x + bar / 2, height - 12,
                Double(i) / 10)
            if n > 0 {
                svg += String(
                    format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%d</text>", x + bar / 2,
                    height - bottom - h - 3, n)
            }
        }
        return svg + "</svg>"
    }

    static func snippet(_ text: String, _ limit: Int) -> String { QueryService.snippet(text, limit: limit) }
}
