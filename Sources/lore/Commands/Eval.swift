import ArgumentParser
import Foundation
import LoreEval
import LoreRetrieval

/// `lore eval`: a golden set through the pipeline, metrics, gates and a report.
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate retrieval and answers on a golden question set; exit 1 when a gate or the regression check fails.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The golden set: JSON Lines {id, question, answers, sources, answerable}.")
    var set: String

    @Option(name: .long, help: "The collection (default: configuration collection).")
    var collection: String?

    @Option(name: .long, help: "Passages to answer from, and the k of hit@k and recall@k. (default: 5)")
    var k = 5

    @Option(name: .long, help: "Retrieval mode: hybrid, dense or lexical (default: retrieval.mode).")
    var mode: String?

    @Option(name: .long, help: "Prompt template NAME@VERSION.")
    var prompt: String?

    @Option(name: .long, help: "Generation backend (default: generation.backend).")
    var backend: String?

    @Option(name: .long, help: "A previous report (JSON): its quality metrics may not drop by more than --max-regression.")
    var baseline: String?

    @Option(name: .customLong("max-regression"), help: "The largest drop allowed against --baseline. (default: 0.02)")
    var maxRegression = 0.02

    @Option(name: .long, help: "A gate METRIC>=VALUE or METRIC<=VALUE (repeatable).")
    var gate: [String] = []

    @Option(name: .long, help: "Write the JSON report here.")
    var report: String?

    @Option(name: .long, help: "Write a Markdown summary here.")
    var markdown: String?

    @Flag(name: .long, help: "Print the JSON report instead of the table.")
    var json = false

    func run() async throws {
        let gates: [Gate]
        do { gates = try gate.map { try Gate(parsing: $0) } } catch { throw ValidationError("\(error)") }
        guard k > 0 else { throw ValidationError("--k must be positive") }
        guard maxRegression >= 0 else { throw ValidationError("--max-regression must not be negative") }
        let questions: [EvalQuestion]
        do { questions = try EvalSet.load(set) } catch { throw CommandFailure(description: "\(error)") }
        let base: [String: Double]?
        do { base = try baseline.map { try Gates.loadBaseline($0) } } catch { throw CommandFailure(description: "\(error)") }

        let config = try global.configuration()
        let pipeline = try await QueryServiceFactory.make(config, collection: collection)
        var options = pipeline.defaults
        options.k = k
        options.fetchK = max(options.fetchK, k)
        if let mode {
            guard let m = RetrievalMode(rawValue: mode) else { throw ValidationError("--mode must be hybrid, dense or lexical, not \(mode)") }
            options.mode = m
        }
        let runner = EvalRunner(service: pipeline.service, options: options, prompt: prompt, backend: backend)
        var results: [EvalRunner.QuestionResult] = []
        for q in questions { results.append(try await runner.run(q, k: k)) }
        let metrics = EvalRunner.metrics(results, k: k)
        let failures: [GateFailure]
        do { failures = try Gates.check(metrics, gates: gates, baseline: base, maxRegression: maxRegression) } catch {
            throw ValidationError("\(error)")
        }

        let reportObject = EvalReport(set: set, k: k, mode: options.mode.rawValue, prompt: prompt, backend: backend ?? config.generation.backend,
                                      metrics: metrics, failures: failures, questions: results)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(reportObject)
        if let report { try data.write(to: URL(fileURLWithPath: report)) }
        if let markdown { try Self.markdown(reportObject).write(toFile: markdown, atomically: true, encoding: .utf8) }
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(questions.count) questions from \(set) (mode \(options.mode.rawValue), k \(k), backend \(reportObject.backend))")
            for name in Self.order(metrics) {
                print(name.padding(toLength: 26, withPad: " ", startingAt: 0) + Self.format(name, metrics[name]!) + (base?[name].map { "   baseline " + Self.format(name, $0) } ?? ""))
            }
            if !failures.isEmpty {
                print("\nFAILED:")
                for f in failures {
                    print("  \(f.metric) = \(String(format: "%.4f", f.value)): \(f.check); short by \(String(format: "%.4f", f.shortfall))")
                }
            }
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    /// The report file: `metrics` by name, the failed checks, and every question.
    struct EvalReport: Encodable {
        var set: String
        var k: Int
        var mode: String
        var prompt: String?
        var backend: String
        var metrics: [String: Double]
        var failures: [GateFailure]
        var questions: [EvalRunner.QuestionResult]
    }

    static func order(_ m: [String: Double]) -> [String] {
        let first = m.keys.filter { Gates.guarded($0) }.sorted()
        return first + m.keys.filter { !Gates.guarded($0) }.sorted()
    }

    static func format(_ name: String, _ v: Double) -> String {
        name.hasSuffix("_ms_p50") || name.hasSuffix("_ms_p95") ? String(format: "%9.1f ms", v)
            : ["questions", "tokens", "guardrail_findings"].contains(name) ? String(format: "%9.0f", v) : String(format: "%9.3f", v)
    }

    static func markdown(_ r: EvalReport) -> String {
        var lines = ["# lore eval: \(r.set)", "", "mode \(r.mode), k \(r.k), backend \(r.backend)", "", "| metric | value |", "|---|---|"]
        for name in order(r.metrics) { lines.append("| \(name) | \(format(name, r.metrics[name]!).trimmingCharacters(in: .whitespaces)) |") }
        if !r.failures.isEmpty {
            lines += ["", "## Failed", ""]
            for f in r.failures { lines.append("- \(f.metric) = \(String(format: "%.4f", f.value)): \(f.check), short by \(String(format: "%.4f", f.shortfall))") }
        }
        let worst = r.questions.filter { $0.answerable && $0.reciprocalRank < 1 }.sorted { $0.reciprocalRank < $1.reciprocalRank }.prefix(10)
        if !worst.isEmpty {
            lines += ["", "## Worst questions", "", "| id | first gold rank | retrieved | gold |", "|---|---|---|---|"]
            for q in worst {
                lines.append("| \(q.id) | \(q.firstGoldRank.map(String.init) ?? "-") | \(q.retrieved.prefix(5).joined(separator: ", ")) | \(q.gold.joined(separator: ", ")) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
