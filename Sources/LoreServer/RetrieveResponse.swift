import LoreQuery
import LoreRetrieval

/// The answer of `POST /v1/retrieve`: the passages retrieval found, best first, without
/// generation.
struct RetrieveResponse: Encodable {
    struct PassageJSON: Encodable {
        var n: Int
        var source: String
        var title: String
        var headingPath: String
        var format: String
        /// A PDF's page; a presentation's slide; a spreadsheet's sheet (`Citation.location`).
        var page: Int?
        var slide: Int?
        var sheet: String?
        var chunkIDs: [Int64]
        /// The fused (RRF) score that ranked it.
        var score: Double
        /// Cosine similarity to the question (null without vectors).
        var relevance: Double?
        var denseRank: Int?
        var lexicalRank: Int?
        var text: String

        enum CodingKeys: String, CodingKey {
            case n, source, title, headingPath = "heading_path", format, page, slide, sheet, chunkIDs = "chunk_ids", score, relevance
            case denseRank = "dense_rank", lexicalRank = "lexical_rank", text
        }

        init(_ p: Passage, n: Int) {
            self.n = n
            source = p.source
            title = p.title
            headingPath = p.headingPath
            format = p.format
            (page, slide, sheet) = Citation.location(format: p.format, page: p.page, headingPath: p.headingPath)
            chunkIDs = p.chunkIDs
            score = p.score
            relevance = p.relevance
            denseRank = p.denseRank
            lexicalRank = p.lexicalRank
            text = p.text
        }
    }

    var requestID: String
    /// The question as retrieval used it (after the input guard's redaction).
    var question: String
    var mode: String
    var passages: [PassageJSON]
    /// Whether the best passage is relevant enough to answer from.
    var sufficient: Bool
    var bestRelevance: Double?
    var unknownNames: [String]
    /// The input guard blocked the question: no retrieval ran.
    var blocked: Bool
    var guardrailFindings: [GuardFinding]
    /// Null when the question was blocked.
    var timingsMs: RetrievalResult.Timings?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", question, mode, passages, sufficient, bestRelevance = "best_relevance"
        case unknownNames = "unknown_names", blocked, guardrailFindings = "guardrail_findings", timingsMs = "timings_ms"
    }
}
