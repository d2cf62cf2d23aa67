import ArgumentParser
import LoreApp

/// `lore bench`: measurements that the scripts under bench/ compare with the anchors.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Lore's parts (used by the scripts under bench/).",
        subcommands: [EmbedBench.self, IndexBench.self, RetrievalBench.self, GuardrailsBench.self])
}

/// `lore bench embed --file TEXTS`
struct EmbedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Throughput, latency and memory of the in-process MiniLM.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Texts to embed, one per line.")
    var file: String

    @Option(name: .long, help: "Texts per batch.")
    var batchSize = 32

    @Option(name: .long, help: "Timed passes over all texts (the median is reported).")
    var runs = 3

    @Option(name: .long, help: "Single-text embeddings timed for the query-path latency.")
    var queries = 200

    func run() async throws {
        let request = EmbedBenchmarkRequest(file: file, batchSize: batchSize, runs: runs, queries: queries)
        try Output.emit { try EmbedBenchmark.run(request, config: global.configuration()) }
    }
}
