import Foundation
import LoreCore
import LoreEval
import LoreStore

/// The options of `lore eval drift`.
public struct DriftRequest: Sendable {
    /// The queries (a file; nil with `fromLog`), and optional reference queries (default:
    /// the collection's chunk vectors).
    public var queries: String?, reference: String?
    /// Read the queries from the request log instead: the collection's questions (redacted,
    /// standalone) of the last `days` days, at most `logLimit`.
    public var fromLog = false
    public var days = 7.0
    public var logLimit = 10_000
    /// The collection (default: the configuration's).
    public var collection: String?
    /// Centroids fitted on the corpus sample (default: one per 40 sampled vectors, 2 to 16).
    public var centroids: Int?
    /// Chunk vectors sampled from the collection.
    public var sample: Int
    /// Exit 1 when the verdict is at least this: drifted or moderate.
    public var failOn: String?
    /// Print one JSON object.
    public var json: Bool

    /// A request with these options.
    public init(
        queries: String?, reference: String?, collection: String?, centroids: Int?, sample: Int, failOn: String?, json: Bool,
        fromLog: Bool = false, days: Double = 7
    ) {
        self.queries = queries
        self.fromLog = fromLog
        self.days = days
        self.reference = reference
        self.collection = collection
        self.centroids = centroids
        self.sample = sample
        self.failOn = failOn
        self.json = json
    }

    /// The verdict `failOn` names.
    public var failThreshold: Drift.Verdict? {
        switch failOn {
        case "drifted": .drifted
        case "moderate": .moderate
        default: nil
        }
    }

    /// Checks the centroids, the sample and `failOn`.
    public func validate() throws {
        if let centroids, !(1...1024).contains(centroids) {
            throw UsageError("--centroids must be between 1 and 1024, got \(centroids)")
        }
        guard sample >= 1 else { throw UsageError("--sample must be positive, got \(sample)") }
        if let failOn, failThreshold == nil { throw UsageError("--fail-on must be drifted or moderate, not \(failOn)") }
        if (queries == nil) == !fromLog { throw UsageError("pass either --queries FILE or --from-log") }
        if !(days > 0) { throw UsageError("--days must be above 0, not \(days)") }
    }
}

/// `lore eval drift`: whether queries have moved away from what the corpus covers, seen from
/// the embeddings (`Drift`): similarity to the nearest of the corpus's centroids, bucketed,
/// compared by PSI with the corpus (or with reference queries).
public enum DriftCommand {
    /// Queries listed as furthest from the corpus.
    static let furthestShown = 10

    /// Measures the drift (the configuration, with the embedder options applied, is read
    /// first); status 1 when the verdict reaches `failOn`.
    public static func run(_ request: DriftRequest, configuration: () throws -> LoreConfiguration) async throws -> CommandOutput {
        let threshold = request.failThreshold
        let started = Date()
        let config = try configuration()
        let referenceLines = try request.reference.map { try load($0, option: "--reference") }

        try config.requireDatabase(hint: "pass the database with --db FILE")
        let store = try Store(path: config.database)
        let name = request.collection ?? config.collection
        let queryLines = try request.queries.map { try load($0, option: "--queries") } ?? logged(request, collection: name, config: config)
        guard let id = try store.existingCollectionID(named: name) else {
            throw CommandFailure(description: "no collection named \(name) in \(config.database) (--collection)")
        }
        guard let model = try store.embeddingModel(collectionID: id) else {
            throw CommandFailure(description: "collection \(name) in \(config.database) has no vectors: ingest it with an embedder first")
        }
        let total = try store.vectorCount(collectionID: id)
        guard total > 0 else {
            throw CommandFailure(description: "collection \(name) in \(config.database) has no vectors: ingest it with an embedder first")
        }
        let picks = Drift.sample(total, request.sample)
        var corpus: [[Float]] = []
        corpus.reserveCapacity(picks.count)
        var position = 0, next = 0
        try store.forEachVector(collectionID: id) { chunk, bytes in
            defer { position += 1 }
            guard next < picks.count, picks[next] == position else { return }
            next += 1
            guard bytes.count == model.dimension * 4 else {
                throw CommandFailure(
                    description:
                        "chunk \(chunk) has a vector of \(bytes.count / 4) dimensions; the collection's model \(model) has \(model.dimension)"
                )
            }
            corpus.append(
                (0..<model.dimension).map {
                    Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
                })
        }
        guard !corpus.isEmpty else {
            throw CommandFailure(description: "collection \(name) in \(config.database) has no vectors: ingest it with an embedder first")
        }

        guard let embedder = try await EmbedderFactory.make(config) else {
            throw UsageError("lore eval drift embeds the queries: --embedder none cannot")
        }
        guard embedder.modelID == model.id, embedder.dimension == model.dimension else {
            throw CommandFailure(
                description:
                    "collection \(name) was embedded with \(model), but the configured embedder is \(embedder.modelID) (\(embedder.dimension) dimensions): use the same embedder, or switch the collection with lore reindex"
            )
        }
        let embedded = Date()
        let queryVectors = try await embedder.embed(queryLines.map(\.query))
        var referenceVectors: [[Float]]? = nil
        if let referenceLines { referenceVectors = try await embedder.embed(referenceLines.map(\.query)) }
        let embedSeconds = Date().timeIntervalSince(embedded)

        let report = Drift.compare(
            corpus: corpus, queries: queryVectors, reference: referenceVectors,
            centroids: request.centroids ?? min(16, max(2, corpus.count / 40)))
        let seconds = Date().timeIntervalSince(started)
        let furthest = report.furthest(furthestShown)
        var out = CommandOutput()
        if request.json {
            out.print(
                try json(
                    report, queries: queryLines, furthest: furthest, collection: name, model: model, vectors: total,
                    seconds: seconds, embedSeconds: embedSeconds))
        } else {
            out.print(
                table(
                    report, queries: queryLines, furthest: furthest, collection: name, model: model, vectors: total, seconds: seconds))
        }
        if let threshold, report.verdict >= threshold { out.status = 1 }
        return out
    }

    /// The collection's questions in the request log (`--from-log`), numbered newest first.
    static func logged(_ request: DriftRequest, collection: String, config: LoreConfiguration) throws -> [(line: Int, query: String)] {
        let since = Date().timeIntervalSince1970 - request.days * 86_400
        let records = try config.requestLogStore().requestRecords(
            RequestLogQuery(collection: collection, since: since, limit: request.logLimit))
        let questions = records.map { $0.standaloneQuestion.isEmpty ? $0.question : $0.standaloneQuestion }.filter { !$0.isEmpty }
        guard !questions.isEmpty else {
            throw CommandFailure(
                description:
                    "--from-log: no questions for collection \(collection) in the request log \(config.requestLogReadPath) in the last \(request.days) days"
            )
        }
        return questions.enumerated().map { (line: $0.offset + 1, query: $0.element) }
    }

    /// The queries of a file; an unreadable, malformed or empty file is an error naming the
    /// option and the file (and the line).
    public static func load(_ path: String, option: String) throws -> [(line: Int, query: String)] {
        let lines: [(line: Int, query: String)]
        do { lines = try DriftQueryFile.load(path) } catch { throw CommandFailure(description: "\(option) \(error)") }
        guard !lines.isEmpty else { throw CommandFailure(description: "\(option) \(path): no queries (the file is empty or blank)") }
        return lines
    }

    static func percent(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }

    /// The drift report for people: buckets, means, coverage, PSI, the verdict and the
    /// furthest queries.
    public static func table(
        _ r: Drift.Report, queries: [(line: Int, query: String)], furthest: [Int], collection: String,
        model: EmbeddingModelInfo, vectors: Int, seconds: Double
    ) -> String {
        let reference = r.referenceIsCorpus ? "corpus" : "reference"
        var lines = [
            "\(r.queryCount) queries against collection \(collection) (\(model.id)): \(r.corpusCount) of \(vectors) chunk vectors sampled, \(r.centroids) centroids"
                + (r.referenceIsCorpus ? "" : ", \(r.referenceCount) reference queries"),
            "",
            "similarity to the nearest centroid".padding(toLength: 36, withPad: " ", startingAt: 0) + reference.leftPadded(10)
                + "queries".leftPadded(10)
        ]
        let rs = r.referenceShares, qs = r.queryShares
        for i in r.referenceCounts.indices {
            let bucket = String(format: "  %.1f – %.1f", r.edges[i], r.edges[i + 1])
            lines.append(
                bucket.padding(toLength: 36, withPad: " ", startingAt: 0) + percent(rs[i]).leftPadded(10) + percent(qs[i]).leftPadded(10)
                    + "  " + String(repeating: "▪", count: Int((qs[i] * 40).rounded())))
        }
        lines.append(
            "mean similarity".padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: "%.3f", r.referenceMeanSimilarity).leftPadded(10)
                + String(format: "%.3f", r.queryMeanSimilarity).leftPadded(10))
        lines.append(
            String(format: "out of coverage (< %.3f, corpus p5)", r.coverageThreshold).padding(toLength: 36, withPad: " ", startingAt: 0)
                + percent(r.referenceOutOfCoverage).leftPadded(10) + percent(r.outOfCoverage).leftPadded(10))
        lines.append(
            String(
                format: "  %d of %d queries out of coverage; %d or more would be beyond chance (5%% expected): ",
                Int((r.outOfCoverage * Double(r.queryCount)).rounded()), r.queryCount, r.coverageCritical)
                + (r.outOfCoverageSignificant ? "queries reach where the corpus does not" : "within what the corpus covers"))
        lines.append("")
        lines.append(
            String(format: "PSI %.3f", r.psi)
                + String(
                    format: " (the usual reading: below %.2f stable, %.2f to %.2f moderate shift, above %.2f drifted)",
                    Drift.moderateFrom, Drift.moderateFrom, Drift.driftedAbove, Drift.driftedAbove))
        lines.append(
            String(
                format: "  sampling noise: %d and %d samples of one distribution exceed PSI %.3f 5%% of the time; this PSI is ",
                r.referenceCount, r.queryCount, r.noiseLevel) + (r.significant ? "above it" : "within it"))
        lines.append("")
        if r.referenceIsCorpus {
            lines.append(
                "VERDICT: " + r.verdict.phrase.uppercased() + " (by coverage: the reference is the corpus's passages, which sit nearer")
            lines.append("  their centroids than questions do, so the PSI also measures questions against passages; stable unless more")
            lines.append(
                String(
                    format:
                        "  queries are out of coverage than chance explains, drifted from %.0f%% of them; --reference QUERIES judges by PSI)",
                    Drift.driftedCoverage * 100))
        } else {
            lines.append(
                "VERDICT: " + r.verdict.phrase.uppercased()
                    + " (by PSI against the reference queries; within sampling noise counts as stable)")
        }
        lines.append("")
        lines.append("queries furthest from the corpus (similarity, line):")
        for i in furthest {
            let q = queries[i]
            let text = q.query.count > 100 ? String(q.query.prefix(100)) + "…" : q.query
            lines.append(String(format: "  %.3f  %5d  ", r.querySimilarities[i], q.line) + text.replacingOccurrences(of: "\n", with: " "))
        }
        lines.append(String(format: "\n%.1f s", seconds))
        return lines.joined(separator: "\n")
    }

    /// The drift report as one JSON object.
    public static func json(
        _ r: Drift.Report, queries: [(line: Int, query: String)], furthest: [Int], collection: String,
        model: EmbeddingModelInfo, vectors: Int, seconds: Double, embedSeconds: Double
    ) throws -> String {
        let rs = r.referenceShares, qs = r.queryShares
        let o: [String: Any] = [
            "collection": collection, "model": model.id, "vectors": vectors, "sampled": r.corpusCount, "centroids": r.centroids,
            "reference": [
                "kind": r.referenceIsCorpus ? "corpus" : "queries", "count": r.referenceCount,
                "mean_similarity": r.referenceMeanSimilarity, "out_of_coverage": r.referenceOutOfCoverage
            ],
            "queries": [
                "count": r.queryCount, "mean_similarity": r.queryMeanSimilarity, "out_of_coverage": r.outOfCoverage,
                "out_of_coverage_critical_count": r.coverageCritical, "out_of_coverage_significant": r.outOfCoverageSignificant
            ],
            "corpus_mean_similarity": r.corpusMeanSimilarity,
            "coverage_threshold": r.coverageThreshold,
            "buckets": r.referenceCounts.indices.map { i in
                [
                    "low": r.edges[i], "high": r.edges[i + 1], "reference": rs[i], "queries": qs[i],
                    "reference_count": r.referenceCounts[i], "query_count": r.queryCounts[i]
                ] as [String: Any]
            },
            "psi": r.psi, "verdict": r.verdict.rawValue, "noise_level": r.noiseLevel, "significant": r.significant,
            "thresholds": ["moderate_from": Drift.moderateFrom, "drifted_above": Drift.driftedAbove],
            "furthest": furthest.map {
                ["query": queries[$0].query, "line": queries[$0].line, "similarity": r.querySimilarities[$0]] as [String: Any]
            },
            "seconds": seconds, "embed_seconds": embedSeconds
        ]
        let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
