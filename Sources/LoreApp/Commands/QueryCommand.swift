import Foundation
import LoreOps
import LoreQuery
import LoreRetrieval
import LoreStore

/// The options of `lore query`.
public struct QueryCommandRequest: Sendable {
    /// The question.
    public var question: String
    /// The collection (default: the configuration's).
    public var collection: String?
    /// Retrieval overrides: passages, candidates per list, the MMR trade-off, the relevance floor.
    public var k: Int?, fetchK: Int?, lambda: Double?, minRelevance: Double?
    /// Retrieval mode: hybrid, dense or lexical.
    public var mode: String?
    /// `source=GLOB`, `format=FORMAT` or metadata `KEY=VALUE` conditions.
    public var filters: [String]
    /// The prompt template, the user or session id (sticky A/B splits), the backend.
    public var prompt: String?, user: String?, backend: String?
    /// Print the answer as it is generated; print one JSON object.
    public var stream: Bool, json: Bool

    /// A request with these options.
    public init(
        question: String, collection: String?, k: Int?, fetchK: Int?, lambda: Double?, minRelevance: Double?, mode: String?,
        filters: [String], prompt: String?, user: String?, backend: String?, stream: Bool, json: Bool
    ) {
        self.question = question
        self.collection = collection
        self.k = k
        self.fetchK = fetchK
        self.lambda = lambda
        self.minRelevance = minRelevance
        self.mode = mode
        self.filters = filters
        self.prompt = prompt
        self.user = user
        self.backend = backend
        self.stream = stream
        self.json = json
    }
}

/// `lore query "QUESTION"`: one question, a grounded and cited answer.
public enum QueryCommand {
    /// Answers the question; with `stream` (and not `json`) the answer's text goes to `live`
    /// as it is generated, and the returned output holds what follows it.
    public static func run(_ request: QueryCommandRequest, config: LoreConfiguration, live: @escaping LiveOutput) async throws
        -> CommandOutput
    {
        // The answer is recorded in the request log; the log is written before the command returns.
        let requestLog = try config.openRequestLog(storeIsReadOnly: false)
        defer { requestLog?.close() }
        let pipeline = try await QueryServiceFactory.make(config, collection: request.collection, requestLog: requestLog)
        var options = pipeline.defaults
        if let k = request.k {
            options.k = k
            if request.fetchK == nil { options.fetchK = max(options.fetchK, k) }
        }
        if let fetchK = request.fetchK { options.fetchK = fetchK }
        if let lambda = request.lambda { options.lambda = lambda }
        if let minRelevance = request.minRelevance { options.minRelevance = minRelevance }
        if let mode = request.mode {
            guard let m = RetrievalMode(rawValue: mode) else { throw UsageError("--mode must be hybrid, dense or lexical, not \(mode)") }
            options.mode = m
        }
        options.filter = try parseFilters(request.filters)
        do { try options.validate() } catch { throw UsageError("--\(error)") }
        if pipeline.lexicalOnly && options.mode != .lexical {
            throw CommandFailure(
                description: "collection \(pipeline.collection) has no vectors: use --mode lexical, or ingest with an embedder")
        }
        let query = QueryRequest(
            question: request.question, retrieval: options, prompt: request.prompt, userKey: request.user, backend: request.backend,
            stream: request.stream, origin: RequestOrigin(channel: "cli"))

        var response: QueryResponse? = nil
        var printedAnswer = false
        do {
            for try await event in pipeline.service.run(query) {
                switch event {
                case .delta(let text) where request.stream && !request.json:
                    live(text)
                    printedAnswer = true
                case .done(let r):
                    response = r
                default:
                    break
                }
            }
        } catch let e as QueryError {
            if printedAnswer { live("\n") }
            throw CommandFailure(description: e.description)
        }
        guard let response else { throw CommandFailure(description: "no answer") }
        var out = CommandOutput()
        if request.json {
            out.print(String(decoding: try CommandText.encoder().encode(response), as: UTF8.self))
            return out
        }
        // After a streamed answer only its line ends here: the output guard may have changed the streamed text.
        out.print(printedAnswer ? "" : response.answer)
        if response.finishReason == "incomplete" {
            out.print("[incomplete answer: \(response.problem ?? "the stream broke")]")
        }
        out.print(sourcesBlock(response.citations))
        if !response.guardrailFindings.isEmpty {
            out.print("\nGuardrails:")
            for f in response.guardrailFindings { out.print("  \(f.action.rawValue) \(f.rule): \(f.detail)") }
        }
        return out
    }

    /// `Sources:` and one line per citation: `[n] Title › Heading — path`.
    public static func sourcesBlock(_ citations: [Citation]) -> String {
        guard !citations.isEmpty else { return "\nSources: none" }
        var lines = ["", "Sources:"]
        for c in citations {
            var label = c.title.isEmpty ? (c.source as NSString).lastPathComponent : c.title
            var heading = c.headingPath
            if heading == c.title { heading = "" } else if heading.hasPrefix(c.title + " > ") { heading.removeFirst(c.title.count + 3) }
            if !heading.isEmpty { label += " › " + heading }
            if let page = c.page { label += " (p. \(page))" }
            lines.append("[\(c.n)]\(c.cited ? "*" : " ") \(label) — \(c.source)")
        }
        return lines.joined(separator: "\n")
    }

    /// `source=GLOB`, `format=FORMAT`, anything else metadata `KEY=VALUE`.
    public static func parseFilters(_ items: [String]) throws -> ChunkFilter {
        var filter = ChunkFilter()
        for item in items {
            let pair: (key: String, value: String)
            do { pair = try ChunkFilter.metadataCondition(item, parameter: "--filter") } catch { throw UsageError("\(error)") }
            switch pair.key {
            case "source": filter.sources.append(pair.value)
            case "format":
                do { filter.formats.append(try ChunkFilter.format(pair.value, parameter: "--filter format")) } catch {
                    throw UsageError("\(error)")
                }
            default: filter.metadata.append(pair)
            }
        }
        return filter
    }
}
