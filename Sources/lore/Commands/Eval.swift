import ArgumentParser
import Foundation
import LoreApp
import LoreCore
import LoreEval
import LoreRetrieval

/// `lore eval`: golden sets through the pipeline (`lore eval --set …`, the default
/// subcommand `run`) and query drift (`lore eval drift`).
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate retrieval and answers on a golden set (gates, baselines, reports), or measure query drift.",
        subcommands: [EvalRun.self, EvalDrift.self],
        defaultSubcommand: EvalRun.self)
}

/// `lore eval [run] --set FILE`: metrics, gates, a baseline check, `--compare` and reports.
struct EvalRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
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

    @Option(
        name: .long,
        help: "Run several configurations side by side: mode=dense,lexical,hybrid | prompt=answer@v1,answer@v2 | backend=A,B | k=1,5.")
    var compare: String?

    @Option(name: .long, help: "A name for this run in tables and charts (default: the configuration).")
    var label: String?

    @Option(name: .long, help: "A previous report (JSON): its quality metrics may not drop by more than --max-regression.")
    var baseline: String?

    @Option(name: .customLong("max-regression"), help: "The largest drop allowed against --baseline. (default: 0.02)")
    var maxRegression = 0.02

    @Option(name: .long, help: "A gate METRIC>=VALUE or METRIC<=VALUE (repeatable).")
    var gate: [String] = []

    @Option(name: .long, help: "Write the JSON report here (with --compare: {\"runs\": [...]}).")
    var report: String?

    @Option(name: .long, help: "Write a Markdown summary here.")
    var markdown: String?

    @Option(name: .long, help: "Write an HTML report here: metrics, a chart comparing the runs (and the baseline), the worst questions.")
    var html: String?

    @Option(name: .long, help: "Earlier reports (JSON) to chart beside this run in --html (repeatable).")
    var history: [String] = []

    @Option(
        name: .long,
        help:
            "Which part of the set: all, dev or sealed (split by SHA-256 of each id; a sealed run reports aggregates only, no question). (default: all)"
    )
    var part = "all"

    @Flag(name: .long, help: "Print the JSON report instead of the table.")
    var json = false

    /// One configuration to run: what `--compare` varies.
    struct Variant {
        var label: String
        var k: Int
        var mode: String?
        var prompt: String?
        var backend: String?
    }

    func variants() throws -> [Variant] {
        let base = Variant(label: label ?? "", k: k, mode: mode, prompt: prompt, backend: backend)
        guard let compare else { return [base] }
        let parts = compare.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            throw ValidationError("--compare \(compare): expected KEY=V1,V2,... with KEY one of mode, prompt, backend, k")
        }
        let values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard values.count >= 1, !values.contains(where: \.isEmpty) else { throw ValidationError("--compare \(compare): an empty value") }
        return try values.map { v in
            var x = base
            x.label = "\(parts[0])=\(v)"
            switch parts[0] {
            case "mode": x.mode = v
            case "prompt": x.prompt = v
            case "backend": x.backend = v
            case "k":
                guard let n = Int(v), n > 0 else { throw ValidationError("--compare k=\(v): k must be a positive integer") }
                x.k = n
            default: throw ValidationError("--compare \(compare): unknown key \(parts[0]) (mode, prompt, backend or k)")
            }
            return x
        }
    }

    func run() async throws {
        let gates: [Gate]
        do { gates = try gate.map { try Gate(parsing: $0) } } catch { throw ValidationError("\(error)") }
        guard k > 0 else { throw ValidationError("--k must be positive") }
        guard maxRegression >= 0 else { throw ValidationError("--max-regression must not be negative") }
        let plan = try variants()
        for v in plan where v.mode != nil && RetrievalMode(rawValue: v.mode!) == nil {
            throw ValidationError("--mode must be hybrid, dense or lexical, not \(v.mode!)")
        }
        guard let split = SplitPart(rawValue: part) else { throw ValidationError("--part must be all, dev or sealed, not \(part)") }
        var questions: [EvalQuestion]
        do { questions = try EvalSet.load(set) } catch { throw CommandFailure(description: "\(error)") }
        questions = questions.filter { split.includes($0.id) }
        guard !questions.isEmpty else { throw CommandFailure(description: "\(set): no question in the \(split.rawValue) part") }
        let base: [String: Double]?
        do { base = try baseline.map { try Gates.loadBaseline($0) } } catch { throw CommandFailure(description: "\(error)") }
        let earlier: [EvalReport]
        do { earlier = try history.map { try EvalReport.read($0) } } catch { throw CommandFailure(description: "\(error)") }

        let config = try global.configuration()
        let pipeline = try await QueryServiceFactory.make(config, collection: collection)
        var reports: [EvalReport] = []
        for v in plan {
            var options = pipeline.defaults
            options.k = v.k
            options.fetchK = max(options.fetchK, v.k)
            if let m = v.mode { options.mode = RetrievalMode(rawValue: m)! }
            let runner = EvalRunner(service: pipeline.service, options: options, prompt: v.prompt, backend: v.backend)
            var results: [EvalRunner.QuestionResult] = []
            for q in questions { results.append(try await runner.run(q, k: v.k)) }
            let metrics = EvalRunner.metrics(results, k: v.k)
            let failures: [GateFailure]
            do { failures = try Gates.check(metrics, gates: gates, baseline: base, maxRegression: maxRegression) } catch {
                throw ValidationError("\(error)")
            }
            let backendName = v.backend ?? config.generation.backend
            let name = v.label.isEmpty ? "\(options.mode.rawValue) k\(v.k)" + (v.prompt.map { " \($0)" } ?? "") : v.label
            // A sealed part's questions never leave the process: its reports hold aggregates only.
            reports.append(
                EvalReport(
                    label: name, set: split == .all ? set : "\(set) (\(split.rawValue) part)", k: v.k, mode: options.mode.rawValue,
                    prompt: v.prompt, backend: backendName, metrics: metrics, failures: failures,
                    questions: split == .sealed ? [] : results))
        }

        let encoder = EvalReport.encoder()
        let data = compare == nil ? try encoder.encode(reports[0]) : try encoder.encode(["runs": reports])
        if let report { try data.write(to: URL(fileURLWithPath: report)) }
        if let markdown { try Self.markdown(reports).write(toFile: markdown, atomically: true, encoding: .utf8) }
        if let html {
            var chart = earlier
            if let baseline, let b = try? EvalReport.read(baseline) {
                var b = b
                b.label = "baseline"
                chart.insert(b, at: 0)
            }
            try EvalHTMLReport.render(runs: reports, earlier: chart).write(toFile: html, atomically: true, encoding: .utf8)
        }
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else if reports.count == 1 {
            let r = reports[0]
            print("\(questions.count) questions from \(set) (mode \(r.mode), k \(r.k), backend \(r.backend))")
            for name in Self.order(r.metrics) {
                print(
                    name.padding(toLength: 26, withPad: " ", startingAt: 0) + Self.format(name, r.metrics[name]!)
                        + (base?[name].map { "   baseline " + Self.format(name, $0) } ?? ""))
            }
        } else {
            print("\(questions.count) questions from \(set), side by side")
            print(
                "metric".padding(toLength: 26, withPad: " ", startingAt: 0)
                    + reports.map { $0.label.count > 12 ? String($0.label.suffix(12)) : $0.label }
                    .map { String(repeating: " ", count: max(0, 13 - $0.count)) + $0 }.joined())
            for name in Self.order(reports[0].metrics) {
                print(
                    name.padding(toLength: 26, withPad: " ", startingAt: 0)
                        + reports.map { r in
                            let s = r.metrics[name].map { Self.format(name, $0).trimmingCharacters(in: .whitespaces) } ?? "-"
                            return String(repeating: " ", count: max(0, 13 - s.count)) + s
                        }.joined())
            }
        }
        let failed = reports.filter { !$0.failures.isEmpty }
        if !json, !failed.isEmpty {
            print("\nFAILED:")
            for r in failed {
                for f in r.failures {
                    print(
                        "  " + (reports.count > 1 ? "[\(r.label)] " : "")
                            + "\(f.metric) = \(String(format: "%.4f", f.value)): \(f.check); short by \(String(format: "%.4f", f.shortfall))"
                    )
                }
            }
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    static func order(_ m: [String: Double]) -> [String] {
        let first = m.keys.filter { Gates.guarded($0) }.sorted()
        return first + m.keys.filter { !Gates.guarded($0) }.sorted()
    }

    static func format(_ name: String, _ v: Double) -> String {
        name.hasSuffix("_ms_p50") || name.hasSuffix("_ms_p95")
            ? String(format: "%9.1f ms", v)
            : ["questions", "tokens", "guardrail_findings"].contains(name) ? String(format: "%9.0f", v) : String(format: "%9.3f", v)
    }

    static func markdown(_ reports: [EvalReport]) -> String {
        let r = reports[0]
        var lines = ["# lore eval: \(r.set)", ""]
        if reports.count == 1 {
            lines += ["mode \(r.mode), k \(r.k), backend \(r.backend)", "", "| metric | value |", "|---|---|"]
            for name in order(r.metrics) {
                lines.append("| \(name) | \(format(name, r.metrics[name]!).trimmingCharacters(in: .whitespaces)) |")
            }
        } else {
            lines += [
                "| metric | " + reports.map(\.label).joined(separator: " | ") + " |",
                "|---|" + String(repeating: "---|", count: reports.count)
            ]
            for name in order(r.metrics) {
                lines.append(
                    "| \(name) | "
                        + reports.map { $0.metrics[name].map { format(name, $0).trimmingCharacters(in: .whitespaces) } ?? "-" }.joined(
                            separator: " | ") + " |")
            }
        }
        for run in reports where !run.failures.isEmpty {
            lines += ["", "## Failed" + (reports.count > 1 ? " (\(run.label))" : ""), ""]
            for f in run.failures {
                lines.append(
                    "- \(f.metric) = \(String(format: "%.4f", f.value)): \(f.check), short by \(String(format: "%.4f", f.shortfall))")
            }
        }
        let worst = r.questions.filter { $0.answerable && $0.reciprocalRank < 1 }.sorted { $0.reciprocalRank < $1.reciprocalRank }.prefix(
            10)
        if !worst.isEmpty {
            lines += [
                "", "## Worst questions" + (reports.count > 1 ? " (\(r.label))" : ""), "", "| id | first gold rank | retrieved | gold |",
                "|---|---|---|---|"
            ]
            for q in worst {
                lines.append(
                    "| \(q.id) | \(q.firstGoldRank.map(String.init) ?? "-") | \(q.retrieved.prefix(5).joined(separator: ", ")) | \(q.gold.joined(separator: ", ")) |"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
