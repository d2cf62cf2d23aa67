import ArgumentParser
import LoreApp

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
        let request = GuardrailsBenchmarkRequest(questions: questions, limit: limit, warmup: warmup, json: json)
        try await Output.emit { try await GuardrailsBenchmark.run(request, config: global.configuration()) }
    }
}
