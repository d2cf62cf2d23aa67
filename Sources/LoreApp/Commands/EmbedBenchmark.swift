import Foundation
import LoreBLAS
import LoreEmbed

/// The options of `lore bench embed`.
public struct EmbedBenchmarkRequest: Sendable {
    /// Texts to embed, one per line.
    public var file: String
    /// Texts per batch, timed passes (the median is reported), single-text embeddings timed.
    public var batchSize: Int, runs: Int, queries: Int

    /// A request with these options.
    public init(file: String, batchSize: Int, runs: Int, queries: Int) {
        self.file = file
        self.batchSize = batchSize
        self.runs = runs
        self.queries = queries
    }
}

/// `lore bench embed`: throughput, latency and memory of the in-process MiniLM, as one JSON
/// object (the scripts under bench/ compare it with the anchors).
public enum EmbedBenchmark {
    /// Runs the measurements.
    public static func run(_ request: EmbedBenchmarkRequest, config: LoreConfiguration) throws -> CommandOutput {
        guard let data = FileManager.default.contents(atPath: request.file) else {
            throw CommandFailure(description: "cannot read \(request.file)")
        }
        let texts = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter {
            !$0.isEmpty
        }
        let loadStart = ContinuousClock.now
        let embedder = try MiniLMEmbedder(modelDirectory: config.modelDirectory(), batchSize: request.batchSize)
        let loadSeconds = seconds(ContinuousClock.now - loadStart)
        _ = embedder.embedSync(Array(texts.prefix(request.batchSize)))  // warm-up

        var passes: [Double] = []
        for _ in 0..<max(1, request.runs) {
            let t = ContinuousClock.now
            let v = embedder.embedSync(texts)
            precondition(v.count == texts.count)
            passes.append(seconds(ContinuousClock.now - t))
        }
        var latencies: [Double] = []
        for q in 0..<request.queries {
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
            "texts": texts.count, "tokens": tokens, "batch_size": request.batchSize, "runs_s": passes,
            "median_s": passes[passes.count / 2], "texts_per_s": Double(texts.count) / passes[passes.count / 2],
            "latency_ms_p50": latencies.isEmpty ? 0 : latencies[latencies.count / 2],
            "latency_ms_p99": latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))],
            "peak_rss_mib": Double(usage.ru_maxrss) / 1024, "model_load_s": loadSeconds, "blas": BLAS.configuration,
            "kernel": embedder.kernel.rawValue,
            "threads": embedder.parallelism
        ]
        var out = CommandOutput()
        out.print(try CommandText.json(result))
        return out
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
