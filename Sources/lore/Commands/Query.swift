import ArgumentParser
import Foundation
import LoreApp
import LoreCore
import LoreQuery
import LoreRetrieval
import LoreStore

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
        var config = try global.configuration()
        try embedding.apply(to: &config)
        let pipeline = try await QueryServiceFactory.make(config, collection: collection)
        var options = pipeline.defaults
        if let k { options.k = k; if fetchK == nil { options.fetchK = max(options.fetchK, k) } }
        if let fetchK { options.fetchK = fetchK }
        if let lambda { options.lambda = lambda }
        if let minRelevance { options.minRelevance = minRelevance }
        if let mode {
            guard let m = RetrievalMode(rawValue: mode) else {
                throw ValidationError("--mode must be hybrid, dense or lexical, not \(mode)")
            }
            options.mode = m
        }
        options.filter = try Self.parseFilters(filter)
        do { try options.validate() } catch { throw ValidationError("--\(error)") }
        if pipeline.lexicalOnly && options.mode != .lexical {
            throw CommandFailure(
                description: "collection \(pipeline.collection) has no vectors: use --mode lexical, or ingest with an embedder")
        }
        let request = QueryRequest(question: question, retrieval: options, prompt: prompt, userKey: user, backend: backend, stream: stream)

        var response: QueryResponse? = nil
        var printedAnswer = false
        do {
            for try await event in pipeline.service.run(request) {
                switch event {
                case .delta(let text) where stream && !json:
                    print(text, terminator: "")
                    fflush(nil)
                    printedAnswer = true
                case .done(let r):
                    response = r
                default:
                    break
                }
            }
        } catch let e as QueryError {
            if printedAnswer { print("") }
            throw CommandFailure(description: e.description)
        }
        guard let response else { throw CommandFailure(description: "no answer") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(response), as: UTF8.self))
            return
        }
        if printedAnswer {
            // The output guard may have changed the streamed text.
            print("")
        } else {
            print(response.answer)
        }
        if response.finishReason == "incomplete" {
            print("[incomplete answer: \(response.problem ?? "the stream broke")]")
        }
        print(Self.sourcesBlock(response.citations))
        if !response.guardrailFindings.isEmpty {
            print("\nGuardrails:")
            for f in response.guardrailFindings { print("  \(f.action.rawValue) \(f.rule): \(f.detail)") }
        }
    }

    /// `Sources:` and one line per citation: `[n] Title › Heading — path`.
    static func sourcesBlock(_ citations: [Citation]) -> String {
        guard !citations.isEmpty else { return "\nSources: none" }
        var lines = ["", "Sources:"]
        for c in citations {
            var label = c.title.isEmpty ? (c.source as NSString).lastPathComponent : c.title
            var heading = c.headingPath
            if heading == c.title { heading = "" } else if heading.hasPrefix(c.title + " > ") { heading.removeFirst(c.title.count + 3) }
            if !heading.isEmpty { label += " › " + heading }
            lines.append("[\(c.n)]\(c.cited ? "*" : " ") \(label) — \(c.source)")
        }
        return lines.joined(separator: "\n")
    }

    /// `source=GLOB`, `format=FORMAT`, anything else metadata `KEY=VALUE`.
    static func parseFilters(_ items: [String]) throws -> ChunkFilter {
        var filter = ChunkFilter()
        for item in items {
            let pair: (key: String, value: String)
            do { pair = try ChunkFilter.metadataCondition(item, parameter: "--filter") } catch { throw ValidationError("\(error)") }
            switch pair.key {
            case "source": filter.sources.append(pair.value)
            case "format":
                do { filter.formats.append(try ChunkFilter.format(pair.value, parameter: "--filter format")) } catch {
                    throw ValidationError("\(error)")
                }
            default: filter.metadata.append(pair)
            }
        }
        return filter
    }
}
