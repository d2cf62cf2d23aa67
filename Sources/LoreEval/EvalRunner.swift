import Foundation
import LoreQuery
import LoreRetrieval

/// Runs a golden set through the query pipeline and scores it: retrieval metrics from a
/// ranked list of documents (the retriever at depth 10, so MRR@10 and nDCG@10 are defined),
/// answer metrics from the pipeline's answer and citations, latency per stage.
public struct EvalRunner: Sendable {
    public let service: QueryService
    public var options: RetrievalOptions
    public var prompt: String?
    public var backend: String?

    public init(service: QueryService, options: RetrievalOptions, prompt: String? = nil, backend: String? = nil) {
        self.service = service
        self.options = options
        self.prompt = prompt
        self.backend = backend
    }

    /// One question's outcome.
    public struct QuestionResult: Sendable, Codable {
        public var id: String
        public var question: String
        public var answerable: Bool
        public var gold: [String]
        public var retrieved: [String]
        public var cited: [String]
        public var firstGoldRank: Int?
        public var hit: Double
        public var recall: Double
        public var reciprocalRank: Double
        public var ndcg: Double
        public var answer: String
        public var answerContains: Bool
        public var refused: Bool
        public var refusalCorrect: Bool
        public var citationPrecision: Double?
        public var citationRecall: Double?
        public var guardrailFindings: Int
        public var tokens: Int
        public var latencyMs: Double
        public var retrieveMs: Double
        public var embedMs: Double
        public var generateMs: Double
        /// The answer's cost (`usage.cost`) when its backend has a price; nil otherwise.
        public var cost: Double? = nil

        /// snake_case on disk (metric names in `metrics` are kept verbatim, so no key strategy).
        enum CodingKeys: String, CodingKey {
            case id
            case question
            case answerable
            case gold
            case retrieved
            case cited
            case firstGoldRank = "first_gold_rank"
            case hit
            case recall
            case reciprocalRank = "reciprocal_rank"
            case ndcg
            case answer
            case answerContains = "answer_contains"
            case refused
            case refusalCorrect = "refusal_correct"
            case citationPrecision = "citation_precision"
            case citationRecall = "citation_recall"
            case guardrailFindings = "guardrail_findings"
            case tokens
            case latencyMs = "latency_ms"
            case retrieveMs = "retrieve_ms"
            case embedMs = "embed_ms"
            case generateMs = "generate_ms"
            case cost
        }
    }

    /// The file name a cited or retrieved source is matched by (`/a/b/c.html#3` → `c.html`).
    public static func fileName(_ source: String) -> String {
        let path = source.split(separator: "#").first.map(String.init) ?? source
        return (path as NSString).lastPathComponent
    }

    public func run(_ q: EvalQuestion, k: Int) async throws -> QuestionResult {
        var deep = options
        deep.k = max(10, options.k)
        deep.fetchK = max(deep.fetchK, deep.k)
        let ranked = try await service.retriever.retrieve(q.question, options: deep, requestID: "eval-\(q.id)").passages.map {
            Self.fileName($0.source)
        }
        let t = DispatchTime.now()
        var request = QueryRequest(question: q.question, retrieval: options, prompt: prompt, backend: backend, stream: false)
        request.requestID = "eval-\(q.id)"
        let r = try await service.answer(request)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6
        let gold = Set(q.sources)
        let cited = r.citations.filter(\.cited).map { Self.fileName($0.source) }
        return QuestionResult(
            id: q.id, question: q.question, answerable: q.answerable, gold: q.sources, retrieved: EvalMetrics.distinct(ranked),
            cited: cited,
            firstGoldRank: EvalMetrics.firstGoldRank(ranked, gold: gold),
            hit: EvalMetrics.hit(ranked, gold: gold, k: k), recall: EvalMetrics.recall(ranked, gold: gold, k: k),
            reciprocalRank: EvalMetrics.reciprocalRank(ranked, gold: gold), ndcg: EvalMetrics.ndcg(ranked, gold: gold),
            answer: r.answer, answerContains: EvalMetrics.contains(r.answer, any: q.answers), refused: r.refused,
            refusalCorrect: r.refused != q.answerable,
            citationPrecision: EvalMetrics.citationPrecision(cited: cited, gold: gold),
            citationRecall: EvalMetrics.citationRecall(cited: cited, gold: gold),
            guardrailFindings: r.guardrailFindings.count, tokens: r.usage.totalTokens, latencyMs: wall,
            retrieveMs: r.timingsMs.retrieve, embedMs: r.timingsMs.embed, generateMs: r.timingsMs.generate, cost: r.usage.cost)
    }

    /// Aggregates: retrieval and answer metrics over the answerable questions that have gold
    /// sources (answers), refusal accuracy over all, latency over all; with a priced backend,
    /// `cost` (the run's) and `cost_per_question`.
    public static func metrics(_ results: [QuestionResult], k: Int) -> [String: Double] {
        func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
        let withGold = results.filter { $0.answerable && !$0.gold.isEmpty }
        let answerable = results.filter(\.answerable)
        var m: [String: Double] = [
            "hit@\(k)": mean(withGold.map(\.hit)),
            "recall@\(k)": mean(withGold.map(\.recall)),
            "mrr@10": mean(withGold.map(\.reciprocalRank)),
            "ndcg@10": mean(withGold.map(\.ndcg)),
            "answer_contains": mean(answerable.map { $0.answerContains ? 1 : 0 }),
            "citation_precision": mean(withGold.compactMap(\.citationPrecision)),
            "citation_recall": mean(withGold.compactMap(\.citationRecall)),
            "refusal_accuracy": mean(results.map { $0.refusalCorrect ? 1 : 0 }),
            "latency_ms_p50": EvalMetrics.percentile(results.map(\.latencyMs), 50),
            "latency_ms_p95": EvalMetrics.percentile(results.map(\.latencyMs), 95),
            "embed_ms_p50": EvalMetrics.percentile(results.map(\.embedMs), 50),
            "embed_ms_p95": EvalMetrics.percentile(results.map(\.embedMs), 95),
            "retrieve_ms_p50": EvalMetrics.percentile(results.map(\.retrieveMs), 50),
            "retrieve_ms_p95": EvalMetrics.percentile(results.map(\.retrieveMs), 95),
            "generate_ms_p50": EvalMetrics.percentile(results.map(\.generateMs), 50),
            "generate_ms_p95": EvalMetrics.percentile(results.map(\.generateMs), 95),
            "guardrail_findings": Double(results.map(\.guardrailFindings).reduce(0, +)),
            "tokens": Double(results.map(\.tokens).reduce(0, +)),
            "questions": Double(results.count)
        ]
        let unanswerable = results.filter { !$0.answerable }
        if !unanswerable.isEmpty { m["refusal_rate_unanswerable"] = mean(unanswerable.map { $0.refused ? 1 : 0 }) }
        if !answerable.isEmpty { m["refusal_rate_answerable"] = mean(answerable.map { $0.refused ? 1 : 0 }) }
        let costs = results.compactMap(\.cost)
        if !costs.isEmpty {
            m["cost"] = costs.reduce(0, +)
            m["cost_per_question"] = costs.reduce(0, +) / Double(results.count)
        }
        return m
    }
}
