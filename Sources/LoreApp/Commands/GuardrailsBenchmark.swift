import Foundation
import LoreCore
import LoreQuery

/// The options of `lore bench guardrails`.
public struct GuardrailsBenchmarkRequest: Sendable {
    /// Questions, one per line.
    public var questions: String
    /// At most this many questions; untimed questions run first.
    public var limit: Int, warmup: Int
    /// Print JSON.
    public var json: Bool

    /// A request with these options.
    public init(questions: String, limit: Int, warmup: Int, json: Bool) {
        self.questions = questions
        self.limit = limit
        self.warmup = warmup
        self.json = json
    }
}

/// `lore bench guardrails`: what the guardrails add to a query. Each question is answered
/// twice (extractive default, not streamed), by a pipeline with the configured policy and by
/// one with guardrails off, alternating so that both see the same machine state. Reports the
/// guardrails' own time (input, context, stream filter and output rails, measured inside
/// the pipeline) and both pipelines' totals.
public enum GuardrailsBenchmark {
    /// Times every question both ways; percentiles as a table or JSON.
    public static func run(_ request: GuardrailsBenchmarkRequest, config: LoreConfiguration) async throws -> CommandOutput {
        var config = config
        config.guardrails.audit = false  // no audit rows in the measured store
        config.guardrails.enabled = true
        let guarded = try await QueryServiceFactory.make(config)
        config.guardrails.enabled = false
        let plain = try await QueryServiceFactory.make(config)
        guard let text = try? String(contentsOfFile: request.questions, encoding: .utf8) else {
            throw UsageError("--questions \(request.questions): cannot read the file")
        }
        let list = Array(text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }.prefix(request.limit))
        guard !list.isEmpty else { throw UsageError("--questions \(request.questions): no questions") }
        func ask(_ p: QueryServiceFactory.Pipeline, _ q: String) async throws -> QueryResponse {
            var query = QueryRequest(question: q, retrieval: p.defaults, stream: false)
            query.requestID = "bench"
            return try await p.service.answer(query)
        }
        for q in list.prefix(request.warmup) { _ = try await ask(guarded, q); _ = try await ask(plain, q) }
        var rails: [Double] = [], on: [Double] = [], off: [Double] = []
        var findings = 0
        for (i, q) in list.enumerated() {
            // Alternate which goes first.
            if i % 2 == 0 {
                let a = try await ask(guarded, q); let b = try await ask(plain, q)
                rails.append(a.timingsMs.guardrails); on.append(a.timingsMs.total); off.append(b.timingsMs.total)
                findings += a.guardrailFindings.count
            } else {
                let b = try await ask(plain, q); let a = try await ask(guarded, q)
                rails.append(a.timingsMs.guardrails); on.append(a.timingsMs.total); off.append(b.timingsMs.total)
                findings += a.guardrailFindings.count
            }
        }
        let pct = Statistics.percentile
        let rows: [(String, [Double])] = [("guardrails", rails), ("total, guarded", on), ("total, unguarded", off)]
        var out = CommandOutput()
        if request.json {
            var object: [String: Any] = ["questions": list.count, "findings": findings]
            for (name, xs) in rows { object[name] = ["p50": pct(xs, 50), "p95": pct(xs, 95), "p99": pct(xs, 99)] }
            out.print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return out
        }
        out.print("guardrail cost over \(list.count) questions (extractive answers, not streamed), milliseconds:")
        out.print("                    p50      p95      p99")
        for (name, xs) in rows {
            out.print(
                name.padding(toLength: 17, withPad: " ", startingAt: 0)
                    + String(format: "%8.3f %8.3f %8.3f", pct(xs, 50), pct(xs, 95), pct(xs, 99)))
        }
        out.print("findings: \(findings)")
        return out
    }
}
