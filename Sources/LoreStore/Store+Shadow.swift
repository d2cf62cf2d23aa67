import Foundation

/// One live request answered twice: by the primary (what the user got) and, in the
/// background, by the shadow candidate (`shadow_pairs`). Texts are stored redacted.
public struct ShadowPair: Sendable, Equatable, Codable {
    /// The primary request's id.
    public var requestID: String
    public var at: Double
    public var collection: String
    /// The candidate, as `lore shadow report` names it (`prompt=answer@v2`, `backend=llm`...).
    public var candidate: String
    public var question: String
    public var primaryAnswer: String
    public var candidateAnswer: String
    /// How many of the primary's top-k retrieved chunks the candidate also retrieved, over k.
    public var overlapAtK: Double
    public var k: Int
    /// Jaccard similarity of the two cited-source sets (1 when both cite nothing).
    public var citedAgreement: Double
    /// Both refused, or neither did.
    public var refusalAgreement: Bool
    /// Cosine similarity of the two answers' embeddings (nil without an embedder).
    public var answerSimilarity: Double?
    public var primaryRefused: Bool
    public var candidateRefused: Bool
    public var primaryMs: Double
    public var candidateMs: Double
    public var primaryTokens: Int
    public var candidateTokens: Int

    public init(
        requestID: String, at: Double = Date().timeIntervalSince1970, collection: String, candidate: String, question: String,
        primaryAnswer: String, candidateAnswer: String, overlapAtK: Double, k: Int, citedAgreement: Double, refusalAgreement: Bool,
        answerSimilarity: Double?, primaryRefused: Bool, candidateRefused: Bool, primaryMs: Double, candidateMs: Double,
        primaryTokens: Int, candidateTokens: Int
    ) {
        self.requestID = requestID
        self.at = at
        self.collection = collection
        self.candidate = candidate
        self.question = question
        self.primaryAnswer = primaryAnswer
        self.candidateAnswer = candidateAnswer
        self.overlapAtK = overlapAtK
        self.k = k
        self.citedAgreement = citedAgreement
        self.refusalAgreement = refusalAgreement
        self.answerSimilarity = answerSimilarity
        self.primaryRefused = primaryRefused
        self.candidateRefused = candidateRefused
        self.primaryMs = primaryMs
        self.candidateMs = candidateMs
        self.primaryTokens = primaryTokens
        self.candidateTokens = candidateTokens
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", at, collection, candidate, question, primaryAnswer = "primary_answer"
        case candidateAnswer = "candidate_answer", overlapAtK = "overlap_at_k", k, citedAgreement = "cited_agreement"
        case refusalAgreement = "refusal_agreement", answerSimilarity = "answer_similarity", primaryRefused = "primary_refused"
        case candidateRefused = "candidate_refused", primaryMs = "primary_ms", candidateMs = "candidate_ms"
        case primaryTokens = "primary_tokens", candidateTokens = "candidate_tokens"
    }
}

extension Store {
    /// Stores one pair; a request already paired with the same candidate keeps its first pair.
    public func appendShadowPair(_ p: ShadowPair) throws {
        try connection.prepare(
            """
            INSERT OR IGNORE INTO shadow_pairs(request_id, candidate, at, collection, question, primary_answer, candidate_answer,
              overlap_at_k, k, cited_agreement, refusal_agreement, answer_similarity, primary_refused, candidate_refused,
              primary_ms, candidate_ms, primary_tokens, candidate_tokens)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run([
            .text(p.requestID), .text(p.candidate), .double(p.at), .text(p.collection), .text(p.question), .text(p.primaryAnswer),
            .text(p.candidateAnswer), .double(p.overlapAtK), .int(Int64(p.k)), .double(p.citedAgreement),
            .int(p.refusalAgreement ? 1 : 0), p.answerSimilarity.map { .double($0) } ?? .null, .int(p.primaryRefused ? 1 : 0),
            .int(p.candidateRefused ? 1 : 0), .double(p.primaryMs), .double(p.candidateMs), .int(Int64(p.primaryTokens)),
            .int(Int64(p.candidateTokens))
        ])
    }

    /// Pairs, newest first: of one candidate (nil: all), of the last `since` seconds.
    public func shadowPairs(candidate: String? = nil, since: Double? = nil, limit: Int = 10_000) throws -> [ShadowPair] {
        var sql = """
            SELECT request_id, candidate, at, collection, question, primary_answer, candidate_answer, overlap_at_k, k,
              cited_agreement, refusal_agreement, answer_similarity, primary_refused, candidate_refused, primary_ms,
              candidate_ms, primary_tokens, candidate_tokens FROM shadow_pairs
            """
        var conditions: [String] = [], bindings: [SQLValue] = []
        if let candidate {
            conditions.append("candidate = ?")
            bindings.append(.text(candidate))
        }
        if let since {
            conditions.append("at >= ?")
            bindings.append(.double(since))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY at DESC, request_id LIMIT ?"
        bindings.append(.int(Int64(max(0, limit))))
        let s = try connection.prepare(sql)
        try s.bind(bindings)
        defer { s.reset() }
        var out: [ShadowPair] = []
        while try s.step() {
            out.append(
                ShadowPair(
                    requestID: s.text(0), at: s.double(2), collection: s.text(3), candidate: s.text(1), question: s.text(4),
                    primaryAnswer: s.text(5), candidateAnswer: s.text(6), overlapAtK: s.double(7), k: Int(s.int(8)),
                    citedAgreement: s.double(9), refusalAgreement: s.int(10) != 0, answerSimilarity: s.isNull(11) ? nil : s.double(11),
                    primaryRefused: s.int(12) != 0, candidateRefused: s.int(13) != 0, primaryMs: s.double(14), candidateMs: s.double(15),
                    primaryTokens: Int(s.int(16)), candidateTokens: Int(s.int(17))))
        }
        return out
    }

    /// Deletes pairs older than `olderThan` (seconds since 1970), in transactions of at most
    /// `batch` rows; returns how many.
    @discardableResult
    public func pruneShadowPairs(olderThan: Double, batch: Int = 500) throws -> Int {
        var deleted = 0
        while true {
            let n = try connection.transaction {
                try connection.prepare(
                    """
                    DELETE FROM shadow_pairs WHERE rowid IN (SELECT rowid FROM shadow_pairs WHERE at < ? ORDER BY at LIMIT ?)
                    """
                ).run([.double(olderThan), .int(Int64(batch))])
                return connection.changes
            }
            deleted += n
            if n < batch { return deleted }
        }
    }
}
