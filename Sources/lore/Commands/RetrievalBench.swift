import ArgumentParser
import Foundation
import LoreApp
import LoreCore
import LoreQuery
import LoreRetrieval

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
        let config = try global.configuration()
        let pipeline = try await QueryServiceFactory.make(config, collection: collection)
        guard let text = try? String(contentsOfFile: questions, encoding: .utf8) else {
            throw ValidationError("--questions \(questions): cannot read the file")
        }
        let list = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        guard !list.isEmpty else { throw ValidationError("--questions \(questions): no questions") }
        var options = pipeline.defaults
        guard let m = RetrievalMode(rawValue: mode) else { throw ValidationError("--mode must be hybrid, dense or lexical") }
        options.mode = m
        let retriever = pipeline.service.retriever
        for q in list.prefix(warmup) { _ = try await retriever.retrieve(q, options: options) }
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
        if let samplesOut {
            try wall.map { String(format: "%.4f", $0) }.joined(separator: "\n").write(toFile: samplesOut, atomically: true, encoding: .utf8)
        }
        let pct = Statistics.percentile
        let stages: [(String, [Double])] = [
            ("total", wall), ("embed", embeds), ("dense", dense), ("lexical", lexical), ("fetch", fetch), ("rank", rank)
        ]
        if json {
            var out: [String: Any] = ["questions": list.count, "mode": mode, "insufficient": insufficient]
            for (name, xs) in stages {
                out[name] = ["p50": pct(xs, 50), "p95": pct(xs, 95), "p99": pct(xs, 99), "mean": xs.reduce(0, +) / Double(xs.count)]
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("retrieval latency over \(list.count) questions (\(mode), k \(options.k), fetch_k \(options.fetchK)), milliseconds:")
        print("stage       p50      p95      p99     mean")
        for (name, xs) in stages {
            print(
                name.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(format: "%8.2f %8.2f %8.2f %8.2f", pct(xs, 50), pct(xs, 95), pct(xs, 99), xs.reduce(0, +) / Double(xs.count)))
        }
        print("insufficient context: \(insufficient) of \(list.count)")
    }
}
