import ArgumentParser
import Foundation
import LoreApp
import LoreBLAS
import LoreEmbed

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
        let config = try global.configuration()
        guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure(description: "cannot read \(file)") }
        let texts = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter {
            !$0.isEmpty
        }
        let loadStart = ContinuousClock.now
        let embedder = try MiniLMEmbedder(modelDirectory: config.modelDirectory(), batchSize: batchSize)
        let loadSeconds = seconds(ContinuousClock.now - loadStart)
        _ = embedder.embedSync(Array(texts.prefix(batchSize)))  // warm-up

        var passes: [Double] = []
        for _ in 0..<max(1, runs) {
            let t = ContinuousClock.now
            let v = embedder.embedSync(texts)
            precondition(v.count == texts.count)
            passes.append(seconds(ContinuousClock.now - t))
        }
        var latencies: [Double] = []
        for q in 0..<queries {
            let text = texts[q % texts.count]
            let t = ContinuousClock.now
            _ = embedder.embedSync([text])
            latencies.append(seconds(ContinuousClock.now - t) * 1000)
        }
        latencies.sort()
        passes.sort()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let tokens = texts.reduce(0) { $0 + embedder.tokenizer.encode($1).count }
        let result: [String: Any] = [
            "texts": texts.count, "tokens": tokens, "batch_size": batchSize, "runs_s": passes,
            "median_s": passes[passes.count / 2], "texts_per_s": Double(texts.count) / passes[passes.count / 2],
            "latency_ms_p50": latencies.isEmpty ? 0 : latencies[latencies.count / 2],
            "latency_ms_p99": latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))],
            "peak_rss_mib": Double(usage.ru_maxrss) / 1024, "model_load_s": loadSeconds, "blas": BLAS.configuration,
            "threads": embedder.parallelism
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: json, as: UTF8.self))
    }

    private func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
