import ArgumentParser
import LoreApp

/// `lore bench retrieval`: retrieval-only latency (embed + hybrid search + RRF + MMR +
/// merging), question by question, as a query would pay it.
struct RetrievalBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Measure retrieval latency (embed + dense + BM25 + RRF + MMR) over a file of questions, one line each.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Questions, one per line.")
    var questions: String

    @Option(name: .long, help: "The collection.")
    var collection: String?

    @Option(name: .long, help: "Retrieval mode: hybrid, dense or lexical.")
    var mode = "hybrid"

    @Option(name: .long, help: "Untimed questions run first.")
    var warmup = 20

    @Option(name: .long, help: "Write per-question milliseconds (total) to this file, one per line.")
    var samplesOut: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let request = RetrievalBenchmarkRequest(
            questions: questions, collection: collection, mode: mode, warmup: warmup, samplesOut: samplesOut, json: json)
        try await Output.emit { try await RetrievalBenchmark.run(request, config: global.configuration()) }
    }
}
