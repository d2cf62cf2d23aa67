import Foundation
import LoreCore
import LoreEval
import LoreRetrieval

/// The options of `lore eval [run] --set FILE`.
public struct EvalRunRequest: Sendable {
    /// The golden set (JSON Lines).
    public var set: String
    /// The collection (default: the configuration's).
    public var collection: String?
    /// Passages to answer from, and the k of hit@k and recall@k.
    public var k: Int
    /// Retrieval mode, prompt template and backend of the run.
    public var mode: String?, prompt: String?, backend: String?
    /// `KEY=V1,V2,...`: the configurations to run side by side.
    public var compare: String?
    /// A name for the run.
    public var label: String?
    /// A previous report whose quality metrics may not drop by more than `maxRegression`.
    public var baseline: String?, maxRegression: Double
    /// Gates, `METRIC>=VALUE` or `METRIC<=VALUE`.
    public var gates: [String]
    /// Files to write: the JSON report, a Markdown summary, an HTML report.
    public var report: String?, markdown: String?, html: String?
    /// Earlier reports charted beside this run in the HTML report.
    public var history: [String]
    /// Which part of the set: all, dev or sealed.
    public var part: String
    /// Print the JSON report instead of the table.
    public var json: Bool

    /// A request with these options.
    public init(
        set: String, collection: String?, k: Int, mode: String?, prompt: String?, backend: String?, compare: String?, label: String?,
        baseline: String?, maxRegression: Double, gates: [String], report: String?, markdown: String?, html: String?,
        history: [String], part: String, json: Bool
    ) {
        self.set = set
        self.collection = collection
        self.k = k
        self.mode = mode
        self.prompt = prompt
        self.backend = backend
        self.compare = compare
        self.label = label
        self.baseline = baseline
        self.maxRegression = maxRegression
        self.gates = gates
        self.report = report
        self.markdown = markdown
        self.html = html
        self.history = history
        self.part = part
        self.json = json
    }

    /// One configuration to run: what `--compare` varies.
    public struct Variant: Sendable {
        /// The run's name, its k, and what it overrides.
        public var label: String, k: Int, mode: String?, prompt: String?, backend: String?
    }

    /// The configurations to run: this one, or one per `--compare` value.
    public func variants() throws -> [Variant] {
        let base = Variant(label: label ?? "", k: k, mode: mode, prompt: prompt, backend: backend)
        guard let compare else { return [base] }
        let parts = compare.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            throw UsageError("--compare \(compare): expected KEY=V1,V2,... with KEY one of mode, prompt, backend, k")
        }
        let values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard values.count >= 1, !values.contains(where: \.isEmpty) else { throw UsageError("--compare \(compare): an empty value") }
        return try values.map { v in
            var x = base
            x.label = "\(parts[0])=\(v)"
            switch parts[0] {
            case "mode": x.mode = v
            case "prompt": x.prompt = v
            case "backend": x.backend = v
            case "k":
                guard let n = Int(v), n > 0 else { throw UsageError("--compare k=\(v): k must be a positive integer") }
                x.k = n
            default: throw UsageError("--compare \(compare): unknown key \(parts[0]) (mode, prompt, backend or k)")
            }
            return x
        }
    }
}

/// `lore eval [run]`: a golden set through the pipeline: metrics, gates, a baseline check,
/// `--compare`, and the JSON, Markdown and HTML reports.
public enum EvalCommand {
    /// Checks the options and loads the set, the baseline and the history, then (reading
    /// `configuration()` only then) runs every configuration. Status 1 when a gate or the
    /// regression check fails.
    public static func run(_ request: EvalRunRequest, configuration: () throws -> LoreConfiguration) async throws -> CommandOutput {
        let gates: [Gate]
        do { gates = try request.gates.map { try Gate(parsing: $0) } } catch { throw UsageError("\(error)") }
        guard request.k > 0 else { throw UsageError("--k must be positive") }
        guard request.maxRegression >= 0 else { throw UsageError("--max-regression must not be negative") }
        let plan = try request.variants()
        for v in plan where v.mode != nil && RetrievalMode(rawValue: v.mode!) == nil {
            throw UsageError("--mode must be hybrid, dense or lexical, not \(v.mode!)")
        }
        let set = request.set
        guard let split = SplitPart(rawValue: request.part) else {
            throw UsageError("--part must be all, dev or sealed, not \(request.part)")
        }
        var questions: [EvalQuestion]
        do { questions = try EvalSet.load(set) } catch { throw CommandFailure(description: "\(error)") }
        questions = questions.filter { split.includes($0.id) }
        guard !questions.isEmpty else { throw CommandFailure(description: "\(set): no question in the \(split.rawValue) part") }
        let base: [String: Double]?
        do { base = try request.baseline.map { try Gates.loadBaseline($0) } } catch { throw CommandFailure(description: "\(error)") }
        let earlier: [EvalReport]
        do { earlier = try request.history.map { try EvalReport.read($0) } } catch { throw CommandFailure(description: "\(error)") }

        let config = try configuration()
        let pipeline = try await QueryServiceFactory.make(config, collection: request.collection)
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
            do { failures = try Gates.check(metrics, gates: gates, baseline: base, maxRegression: request.maxRegression) } catch {
                throw UsageError("\(error)")
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
        let data = request.compare == nil ? try encoder.encode(reports[0]) : try encoder.encode(["runs": reports])
        if let report = request.report { try data.write(to: URL(fileURLWithPath: report)) }
        if let markdown = request.markdown {
            try EvalReportText.markdown(reports).write(toFile: markdown, atomically: true, encoding: .utf8)
        }
        if let html = request.html {
            var chart = earlier
            if let baseline = request.baseline, var b = try? EvalReport.read(baseline) {
                b.label = "baseline"
                chart.insert(b, at: 0)
            }
            try EvalHTMLReport.render(runs: reports, earlier: chart).write(toFile: html, atomically: true, encoding: .utf8)
        }
        var out = CommandOutput()
        if request.json {
            out.print(String(decoding: data, as: UTF8.self))
        } else {
            out.print(EvalReportText.table(reports, questions: questions.count, set: set, baseline: base))
        }
        let failed = reports.filter { !$0.failures.isEmpty }
        if !request.json, !failed.isEmpty {
            out.print("\nFAILED:")
            for r in failed {
                for f in r.failures {
                    out.print(
                        "  " + (reports.count > 1 ? "[\(r.label)] " : "")
                            + "\(f.metric) = \(String(format: "%.4f", f.value)): \(f.check); short by \(String(format: "%.4f", f.shortfall))"
                    )
                }
            }
        }
        out.status = failed.isEmpty ? 0 : 1
        return out
    }
}

/// Evaluation reports as text: the terminal table and the Markdown summary.
public enum EvalReportText {
    /// The metrics in display order: the gated quality metrics first, then the rest.
    public static func order(_ m: [String: Double]) -> [String] {
        let first = m.keys.filter { Gates.guarded($0) }.sorted()
        return first + m.keys.filter { !Gates.guarded($0) }.sorted()
    }

    /// A metric's value, right-aligned: milliseconds, counts, costs with six decimals, or three.
    public static func format(_ name: String, _ v: Double) -> String {
        name.hasPrefix("cost")
            ? String(format: "%9.6f", v)
            : name.hasSuffix("_ms_p50") || name.hasSuffix("_ms_p95")
                ? String(format: "%9.1f ms", v)
                : ["questions", "tokens", "guardrail_findings"].contains(name) ? String(format: "%9.0f", v) : String(format: "%9.3f", v)
    }

    /// The terminal table: one run with its baseline values, or several side by side.
    public static func table(_ reports: [EvalReport], questions: Int, set: String, baseline base: [String: Double]?) -> String {
        var lines: [String] = []
        if reports.count == 1 {
            let r = reports[0]
            lines.append("\(questions) questions from \(set) (mode \(r.mode), k \(r.k), backend \(r.backend))")
            for name in order(r.metrics) {
                lines.append(
                    name.padding(toLength: 26, withPad: " ", startingAt: 0) + format(name, r.metrics[name]!)
                        + (base?[name].map { "   baseline " + format(name, $0) } ?? ""))
            }
            return lines.joined(separator: "\n")
        }
        lines.append("\(questions) questions from \(set), side by side")
        lines.append(
            "metric".padding(toLength: 26, withPad: " ", startingAt: 0)
                + reports.map { $0.label.count > 12 ? String($0.label.suffix(12)) : $0.label }
                .map { String(repeating: " ", count: max(0, 13 - $0.count)) + $0 }.joined())
        for name in order(reports[0].metrics) {
            lines.append(
                name.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + reports.map { r in
                        let s = r.metrics[name].map { format(name, $0).trimmingCharacters(in: .whitespaces) } ?? "-"
                        return String(repeating: " ", count: max(0, 13 - s.count)) + s
                    }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// The Markdown summary: metrics, failures and the worst questions.
    public static func markdown(_ reports: [EvalReport]) -> String {
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
