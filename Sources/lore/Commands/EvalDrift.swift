import ArgumentParser
import LoreApp

/// `lore eval drift --queries FILE | --from-log`: whether queries have moved away from what the corpus
/// covers, seen from the embeddings (`Drift`): similarity to the nearest of the corpus's
/// centroids, bucketed, compared by PSI with the corpus (or with `--reference` queries).
struct EvalDrift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare the embeddings of queries with the corpus (centroid similarity, PSI) and say whether they have drifted.",
        discussion: """
            Fits --centroids centroids (seeded k-means) on a seeded sample of the collection's \
            stored chunk vectors, then describes every vector by its cosine similarity to the \
            nearest centroid. The similarities of the reference (the corpus sample, or the \
            embedded --reference queries) and of the --queries are counted in ten buckets over \
            [0, 1] and compared by the population stability index: below 0.1 stable, 0.1 to \
            0.25 moderate shift, above 0.25 drifted. Also reported: the mean similarity on each \
            side, the share of queries below the corpus's 5th percentile (out of coverage) and \
            the queries furthest from the corpus. Query files are plain text (one query per \
            line) or JSON Lines with a "question" field. Exit 1 only when --fail-on is met.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var embedding: EmbedderOptions

    @Option(name: .long, help: "The queries: one per line, or JSON Lines with a \"question\" field.")
    var queries: String?

    @Flag(name: .customLong("from-log"), help: "Read the queries from the request log instead: the collection's live questions (redacted).")
    var fromLog = false

    @Option(name: .long, help: "With --from-log: questions of the last DAYS days. (default: 7)")
    var days = 7.0

    @Option(name: .long, help: "Reference queries in the same format (default: the collection's own chunk vectors).")
    var reference: String?

    @Option(name: .long, help: "The collection (default: configuration collection, else default).")
    var collection: String?

    @Option(
        name: .long,
        help:
            "Centroids fitted on the corpus sample (default: one per 40 sampled vectors, 2 to 16: too many for a small corpus sit on its passages)."
    )
    var centroids: Int?

    @Option(name: .long, help: "Chunk vectors sampled from the collection (seeded). (default: 5000)")
    var sample = 5000

    @Option(name: .customLong("fail-on"), help: "Exit 1 when the verdict is at least this: drifted or moderate.")
    var failOn: String?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    /// The options as LoreApp's request.
    var request: DriftRequest {
        DriftRequest(
            queries: queries, reference: reference, collection: collection, centroids: centroids, sample: sample, failOn: failOn,
            json: json,
            fromLog: fromLog, days: days)
    }

    func validate() throws {
        try Output.mapping { try request.validate() }
    }

    func run() async throws {
        try await Output.emit { try await DriftCommand.run(request, configuration: { try global.configuration(embedding) }) }
    }
}
