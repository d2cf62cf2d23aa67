import ArgumentParser
import Foundation
import LoreApp
import LoreCore
import LoreQuery

/// `lore bench guardrails`: what the guardrails add to a query. Each question is answered
/// twice (extractive default, not streamed), by a pipeline with the configured policy and by
/// one with guardrails off, alternating so that both see the same machine state. Reports the
/// guardrails' own time (input, context, stream filter and output rails, measured inside
/// the pipeline) and both pipelines' totals.
struct GuardrailsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardrails",
        abstract: "Measure what the guardrails add to a query, over a file of questions, one line each.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Questions, one per line.")
    var questions: String

    @Option(name: .long, help: "At most this many questions.")
    var limit = 300

    @Option(name: .long, help: "Untimed questions run first.")
    var warmup = 10

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        var config = try global.configuration()
        config.guardrails.audit = false  // no audit rows in the measured store
        config.guardrails.enabled = true
        let guarded = try await QueryServiceFactory.make(config)
        config.guardrails.enabled = false
        let plain = try await QueryServiceFactory.make(config)
        guard let text = try? String(contentsOfFile: questions, encoding: .utf8) else {
            throw ValidationError("--questions \(questions): cannot read the file")
        }
        let list = Array(text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }.prefix(limit))
        guard !list.isEmpty else { throw ValidationError("--questions \(questions): no questions") }
        func ask(_ p: QueryServiceFactory.Pipeline, _ q: String) async throws -> QueryResponse {
            var request = QueryRequest(question: q, retrieval: p.defaults, stream: false)
            request.requestID = "bench"
            return try await p.service.answer(request)
        }
        for q in list.prefix(warmup) { _ = try await ask(guarded, q); _ = try await ask(plain, q) }
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
        if json {
            var out: [String: Any] = ["questions": list.count, "findings": findings]
            for (name, xs) in rows { out[name] = ["p50": pct(xs, 50), "p95": pct(xs, 95), "p99": pct(xs, 99)] }
            print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("guardrail cost over \(list.count) questions (extractive answers, not streamed), milliseconds:")
        print("                    p50      p95      p99")
        for (name, xs) in rows {
            print(
                name.padding(toLength: 17, withPad: " ", startingAt: 0)
                    + String(format: "%8.3f %8.3f %8.3f", pct(xs, 50), pct(xs, 95), pct(xs, 99)))
        }
        print("findings: \(findings)")
    }
}
