import ArgumentParser
import LoreApp

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

    func run() async throws {
        let request = EvalRunRequest(
            set: set, collection: collection, k: k, mode: mode, prompt: prompt, backend: backend, compare: compare, label: label,
            baseline: baseline, maxRegression: maxRegression, gates: gate, report: report, markdown: markdown, html: html,
            history: history, part: part, json: json)
        try await Output.emit { try await EvalCommand.run(request, configuration: { try global.configuration() }) }
    }
}
