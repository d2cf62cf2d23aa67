import Foundation
import LoreCore
import LoreQuery
import LoreRetrieval

/// The options of `lore bench retrieval`.
public struct RetrievalBenchmarkRequest: Sendable {
    /// Questions, one per line.
    public var questions: String
    /// The collection (default: the configuration's).
    public var collection: String?
    /// Retrieval mode: hybrid, dense or lexical.
    public var mode: String
    /// Untimed questions run first.
    public var warmup: Int
    /// A file for the per-question total milliseconds, one per line.
    public var samplesOut: String?
    /// Print JSON.
    public var json: Bool

    /// A request with these options.
    public init(questions: String, collection: String?, mode: String, warmup: Int, samplesOut: String?, json: Bool) {
        self.questions = questions
        self.collection = collection
        self.mode = mode
        self.warmup = warmup
        self.samplesOut = samplesOut
        self.json = json
    }
}

/// `lore bench retrieval`: retrieval-only latency (embed + hybrid search + RRF + MMR +
/// merging), question by question, as a query would pay it.
public enum RetrievalBenchmark {
    /// Times every question; percentiles per stage as a table or JSON.
    public static func run(_ request: RetrievalBenchmarkRequest, config: LoreConfiguration) async throws -> CommandOutput {
        let pipeline = try await QueryServiceFactory.make(config, collection: request.collection)
        guard let text = try? String(contentsOfFile: request.questions, encoding: .utf8) else {
            throw UsageError("--questions \(request.questions): cannot read the file")
        }
        let list = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        guard !list.isEmpty else { throw UsageError("--questions \(request.questions): no questions") }
        var options = pipeline.defaults
        guard let m = RetrievalMode(rawValue: request.mode) else { throw UsageError("--mode must be hybrid, dense or lexical") }
        options.mode = m
        let retriever = pipeline.service.retriever
        for q in list.prefix(request.warmup) { _ = try await retriever.retrieve(q, options: options) }
        var totals: [Double] = [], embeds: [Double] = [], dense: [Double] = [], lexical: [Double] = [], fetch: [Double] = [],
            rank: [Double] = []
        var wall: [Double] = []
        var insufficient = 0
        for q in list {
            let t = DispatchTime.now()
            let r = try await retriever.retrieve(q, options: options)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6)
            totals.append(r.timings.total)
            embeds.append(r.timings.embed)
            dense.append(r.timings.dense)
            lexical.append(r.timings.lexical)
            fetch.append(r.timings.fetch)
            rank.append(r.timings.rank)
            if !r.sufficient { insufficient += 1 }
        }
        if let samplesOut = request.samplesOut {
            try wall.map { String(format: "%.4f", $0) }.joined(separator: "\n").write(toFile: samplesOut, atomically: true, encoding: .utf8)
        }
        let pct = Statistics.percentile
        let stages: [(String, [Double])] = [
            ("total", wall), ("embed", embeds), ("dense", dense), ("lexical", lexical), ("fetch", fetch), ("rank", rank)
        ]
        var out = CommandOutput()
        if request.json {
            var object: [String: Any] = ["questions": list.count, "mode": request.mode, "insufficient": insufficient]
            for (name, xs) in stages {
                object[name] = ["p50": pct(xs, 50), "p95": pct(xs, 95), "p99": pct(xs, 99), "mean": xs.reduce(0, +) / Double(xs.count)]
            }
            out.print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return out
        }
        out.print(
            "retrieval latency over \(list.count) questions (\(request.mode), k \(options.k), fetch_k \(options.fetchK)), milliseconds:")
        out.print("stage       p50      p95      p99     mean")
        for (name, xs) in stages {
            out.print(
                name.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(format: "%8.2f %8.2f %8.2f %8.2f", pct(xs, 50), pct(xs, 95), pct(xs, 99), xs.reduce(0, +) / Double(xs.count)))
        }
        out.print("insufficient context: \(insufficient) of \(list.count)")
        return out
    }
}
