import ArgumentParser
import LoreApp

/// `lore query "QUESTION"`: one question, a grounded and cited answer.
struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer a question from the ingested documents, with numbered citations.",
        discussion: """
            Retrieves passages (hybrid: vector + BM25, fused by RRF, diversified by MMR), fills the \
            answer prompt with them and asks the generation backend (the embedded extractive \
            answerer unless configured otherwise). Below the relevance threshold it answers \
            "I don't know" and lists the nearest sources.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var embedding: EmbedderOptions

    @Argument(help: "The question.")
    var question: String

    @Option(name: .long, help: "The collection (default: configuration collection, else default).")
    var collection: String?

    @Option(name: .long, help: "Passages to answer from (default: retrieval.k, 5).")
    var k: Int?

    @Option(name: .customLong("fetch-k"), help: "Candidates per list before fusion and MMR (default: retrieval.fetch_k, 20).")
    var fetchK: Int?

    @Option(name: .long, help: "MMR trade-off, 0 (diverse) to 1 (relevant) (default: retrieval.lambda, 0.5).")
    var lambda: Double?

    @Option(name: .long, help: "Retrieval mode: hybrid, dense or lexical (default: retrieval.mode, hybrid).")
    var mode: String?

    @Option(name: .long, help: "Restrict the documents: source=GLOB, format=FORMAT, or KEY=VALUE on metadata (repeatable).")
    var filter: [String] = []

    @Option(
        name: .customLong("min-relevance"), help: "Relevance below which the answer is \"I don't know\" (default: retrieval.min_relevance)."
    )
    var minRelevance: Double?

    @Option(name: .long, help: "Prompt template NAME@VERSION (default: answer at its default version or A/B split).")
    var prompt: String?

    @Option(name: .long, help: "A user or session id: keeps an A/B prompt split sticky.")
    var user: String?

    @Option(name: .long, help: "Generation backend (default: generation.backend; extractive needs no LLM).")
    var backend: String?

    @Flag(name: .long, help: "Print the answer as it is generated.")
    var stream = false

    @Flag(name: .long, help: "Print one JSON object: answer, citations, prompt, usage, timings_ms.")
    var json = false

    func run() async throws {
        let request = QueryCommandRequest(
            question: question, collection: collection, k: k, fetchK: fetchK, lambda: lambda, minRelevance: minRelevance, mode: mode,
            filters: filter, prompt: prompt, user: user, backend: backend, stream: stream, json: json)
        try await Output.emit { try await QueryCommand.run(request, config: global.configuration(embedding), live: Output.live) }
    }
}
