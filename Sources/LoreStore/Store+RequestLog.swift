import Foundation
import LoreCore

/// One answered request, as the request log keeps it (`request_log`). The question, the
/// standalone question and the answer are stored after PII redaction: the writer
/// (`LoreOps.RequestLog`) redacts them before they reach the store.
public struct RequestRecord: Sendable, Equatable, Codable {
    public var id: String
    /// Seconds since 1970.
    public var at: Double
    public var collection: String
    /// The published index version it was answered from (replicas), else nil.
    public var indexVersion: String?
    /// The API key that asked (nil: the CLI, the chat in process, or an open server).
    public var keyID: String?
    /// `api` (`/v1/query`), `openai` (`/v1/chat/completions`), `cli` or `chat`.
    public var channel: String
    public var conversationID: String?
    public var promptName: String
    public var promptVersion: String
    public var promptHash: String
    public var backend: String
    public var model: String
    /// The retrieval settings the request ran with (mode, k, fetch_k, ...), as text.
    public var retrieval: [String: String]
    public var question: String
    public var standaloneQuestion: String
    public var answer: String
    /// Every chunk the retriever returned, best first.
    public var retrievedChunks: [Int64]
    /// The chunks of the sources the answer cites.
    public var citedChunks: [Int64]
    /// The source names (file paths) of the cited sources.
    public var citedSources: [String]
    public var finishReason: String
    public var refused: Bool
    /// Milliseconds per stage.
    public var timings: [String: Double]
    public var promptTokens: Int
    public var completionTokens: Int
    /// In the configured currency (`generation.backends[].price`); nil when no price is set.
    public var cost: Double?
    public var traceID: String?
    /// What served it when a candidate is tried on live traffic (`primary`, `canary`), else nil.
    public var variant: String?

    public init(
        id: String, at: Double = Date().timeIntervalSince1970, collection: String, indexVersion: String? = nil,
        keyID: String? = nil, channel: String, conversationID: String? = nil, promptName: String, promptVersion: String,
        promptHash: String, backend: String, model: String, retrieval: [String: String] = [:], question: String,
        standaloneQuestion: String, answer: String, retrievedChunks: [Int64] = [], citedChunks: [Int64] = [],
        citedSources: [String] = [], finishReason: String, refused: Bool, timings: [String: Double] = [:],
        promptTokens: Int = 0, completionTokens: Int = 0, cost: Double? = nil, traceID: String? = nil, variant: String? = nil
    ) {
        self.id = id
        self.at = at
        self.collection = collection
        self.indexVersion = indexVersion
        self.keyID = keyID
        self.channel = channel
        self.conversationID = conversationID
        self.promptName = promptName
        self.promptVersion = promptVersion
        self.promptHash = promptHash
        self.backend = backend
        self.model = model
        self.retrieval = retrieval
        self.question = question
        self.standaloneQuestion = standaloneQuestion
        self.answer = answer
        self.retrievedChunks = retrievedChunks
        self.citedChunks = citedChunks
        self.citedSources = citedSources
        self.finishReason = finishReason
        self.refused = refused
        self.timings = timings
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
        self.traceID = traceID
        self.variant = variant
    }

    enum CodingKeys: String, CodingKey {
        case id, at, collection, indexVersion = "index_version", keyID = "key_id", channel, conversationID = "conversation_id"
        case promptName = "prompt_name", promptVersion = "prompt_version", promptHash = "prompt_hash", backend, model, retrieval
        case question, standaloneQuestion = "standalone_question", answer, retrievedChunks = "retrieved_chunks"
        case citedChunks = "cited_chunks", citedSources = "cited_sources", finishReason = "finish_reason", refused, timings
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", cost, traceID = "trace_id", variant
    }
}

/// A user's judgement of one answer (`request_feedback`): a second rating of the same
/// request replaces the first. Comments and expected answers are stored redacted.
public struct FeedbackRecord: Sendable, Equatable, Codable {
    public var requestID: String
    /// 1 (good) or -1 (bad).
    public var rating: Int
    public var comment: String?
    public var expectedAnswer: String?
    public var expectedSources: [String]
    public var keyID: String?
    public var at: Double

    public init(
        requestID: String, rating: Int, comment: String? = nil, expectedAnswer: String? = nil, expectedSources: [String] = [],
        keyID: String? = nil, at: Double = Date().timeIntervalSince1970
    ) {
        self.requestID = requestID
        self.rating = rating
        self.comment = comment
        self.expectedAnswer = expectedAnswer
        self.expectedSources = expectedSources
        self.keyID = keyID
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", rating, comment, expectedAnswer = "expected_answer", expectedSources = "expected_sources"
        case keyID = "key_id", at
    }
}

/// Which requests `requestRecords` lists.
public struct RequestLogQuery: Sendable, Equatable {
    public var collection: String?
    /// Only requests at or after this time (seconds since 1970).
    public var since: Double?
    /// Only requests with feedback (any rating), or with this rating.
    public var rated: Bool = false
    public var rating: Int?
    public var limit = 50

    public init(collection: String? = nil, since: Double? = nil, rated: Bool = false, rating: Int? = nil, limit: Int = 50) {
        self.collection = collection
        self.since = since
        self.rated = rated
        self.rating = rating
        self.limit = limit
    }
}

extension Store {
    /// Appends answered requests in one transaction. An id already logged keeps its first row (a client that reuses an `X-Request-ID` cannot overwrite another request).
    public func appendRequests(_ records: [RequestRecord]) throws {
        guard !records.isEmpty else { return }
        try connection.transaction {
            let s = try connection.prepare(
                """
                INSERT OR IGNORE INTO request_log(id, at, collection, index_version, key_id, channel, conversation_id,
                  prompt_name, prompt_version, prompt_hash, backend, model, retrieval, question, standalone_question, answer,
                  retrieved_chunks, cited_chunks, cited_sources, finish_reason, refused, timings, prompt_tokens,
                  completion_tokens, cost, trace_id, variant)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in records {
                try s.run([
                    .text(r.id), .double(r.at), .text(r.collection), Self.optional(r.indexVersion), Self.optional(r.keyID),
                    .text(r.channel), Self.optional(r.conversationID), .text(r.promptName), .text(r.promptVersion),
                    .text(r.promptHash), .text(r.backend), .text(r.model), .text(Self.json(r.retrieval)), .text(r.question),
                    .text(r.standaloneQuestion), .text(r.answer), .text(Self.json(r.retrievedChunks)),
                    .text(Self.json(r.citedChunks)), .text(Self.json(r.citedSources)), .text(r.finishReason),
                    .int(r.refused ? 1 : 0), .text(Self.json(r.timings)), .int(Int64(r.promptTokens)),
                    .int(Int64(r.completionTokens)), r.cost.map { .double($0) } ?? .null, Self.optional(r.traceID),
                    Self.optional(r.variant)
                ])
            }
        }
    }

    /// One logged request, or nil.
    public func requestRecord(id: String) throws -> RequestRecord? {
        let s = try connection.prepare("SELECT \(Self.requestColumns) FROM request_log WHERE id = ?")
        try s.bind([.text(id)])
        defer { s.reset() }
        return try s.step() ? Self.requestRecord(s) : nil
    }

    /// The newest logged requests first.
    public func requestRecords(_ query: RequestLogQuery = RequestLogQuery()) throws -> [RequestRecord] {
        var sql =
            "SELECT \(Self.requestColumns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")) FROM request_log r"
        var bindings: [SQLValue] = []
        var conditions: [String] = []
        if query.rated || query.rating != nil {
            sql += " JOIN request_feedback f ON f.request_id = r.id"
            if let rating = query.rating {
                conditions.append("f.rating = ?")
                bindings.append(.int(Int64(rating)))
            }
        }
        if let c = query.collection {
            conditions.append("r.collection = ?")
            bindings.append(.text(c))
        }
        if let since = query.since {
            conditions.append("r.at >= ?")
            bindings.append(.double(since))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY r.at DESC, r.id LIMIT ?"
        bindings.append(.int(Int64(max(0, query.limit))))
        let s = try connection.prepare(sql)
        try s.bind(bindings)
        defer { s.reset() }
        var out: [RequestRecord] = []
        while try s.step() { out.append(Self.requestRecord(s)) }
        return out
    }

    /// How many requests the log holds.
    public func requestCount() throws -> Int {
        Int(try connection.scalarInt("SELECT count(*) FROM request_log") ?? 0)
    }

    /// Deletes, in transactions of at most `batch` rows, the requests older than
    /// `olderThan` (seconds since 1970) and the oldest beyond `keepRows`; their feedback goes
    /// with them. Short transactions keep the writer lock briefly, so requests and readers
    /// go on while it runs. Returns how many rows were deleted.
    @discardableResult
    public func pruneRequests(olderThan: Double?, keepRows: Int?, batch: Int = 500) throws -> Int {
        var deleted = 0
        if let olderThan {
            while true {
                let n = try connection.transaction {
                    try connection.prepare(
                        "DELETE FROM request_log WHERE id IN (SELECT id FROM request_log WHERE at < ? ORDER BY at LIMIT ?)"
                    ).run([.double(olderThan), .int(Int64(batch))])
                    return connection.changes
                }
                deleted += n
                if n < batch { break }
            }
        }
        if let keepRows {
            while true {
                let excess = try requestCount() - keepRows
                guard excess > 0 else { break }
                let n = try connection.transaction {
                    try connection.prepare(
                        "DELETE FROM request_log WHERE id IN (SELECT id FROM request_log ORDER BY at, id LIMIT ?)"
                    ).run([.int(Int64(min(excess, batch)))])
                    return connection.changes
                }
                deleted += n
                if n == 0 { break }
            }
        }
        return deleted
    }

    /// Records a rating; a second rating of the same request replaces the first. The
    /// request must be in the log (the caller checks who may rate it).
    public func recordFeedback(_ f: FeedbackRecord) throws {
        try connection.prepare(
            """
            INSERT INTO request_feedback(request_id, rating, comment, expected_answer, expected_sources, key_id, at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(request_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
              expected_answer = excluded.expected_answer, expected_sources = excluded.expected_sources,
              key_id = excluded.key_id, at = excluded.at
            """
        ).run([
            .text(f.requestID), .int(Int64(f.rating)), Self.optional(f.comment), Self.optional(f.expectedAnswer),
            .text(Self.json(f.expectedSources)), Self.optional(f.keyID), .double(f.at)
        ])
    }

    /// The rating of one request, or nil.
    public func feedback(requestID: String) throws -> FeedbackRecord? {
        let s = try connection.prepare(
            "SELECT request_id, rating, comment, expected_answer, expected_sources, key_id, at FROM request_feedback WHERE request_id = ?")
        try s.bind([.text(requestID)])
        defer { s.reset() }
        return try s.step() ? Self.feedbackRecord(s) : nil
    }

    /// The good and bad ratings of the requests answered with each version of prompt `name`
    /// (rated at or after `since`, when given).
    public func ratingCounts(promptName name: String, since: Double? = nil) throws -> [String: (good: Int, bad: Int)] {
        let s = try connection.prepare(
            """
            SELECT r.prompt_version, SUM(f.rating > 0), SUM(f.rating < 0)
            FROM request_feedback f JOIN request_log r ON r.id = f.request_id
            WHERE r.prompt_name = ? AND f.at >= ?
            GROUP BY r.prompt_version
            """)
        try s.bind([.text(name), .double(since ?? 0)])
        defer { s.reset() }
        var out: [String: (good: Int, bad: Int)] = [:]
        while try s.step() { out[s.text(0)] = (Int(s.int(1)), Int(s.int(2))) }
        return out
    }

    /// Ratings with their requests, newest rating first.
    public func feedbackRecords(collection: String? = nil, limit: Int = 1000) throws -> [(FeedbackRecord, RequestRecord)] {
        let columns = Self.requestColumns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespaces) }
        var sql = """
            SELECT f.request_id, f.rating, f.comment, f.expected_answer, f.expected_sources, f.key_id, f.at, \(columns.joined(separator: ", "))
            FROM request_feedback f JOIN request_log r ON r.id = f.request_id
            """
        var bindings: [SQLValue] = []
        if let collection {
            sql += " WHERE r.collection = ?"
            bindings.append(.text(collection))
        }
        sql += " ORDER BY f.at DESC, f.request_id LIMIT ?"
        bindings.append(.int(Int64(max(0, limit))))
        let s = try connection.prepare(sql)
        try s.bind(bindings)
        defer { s.reset() }
        var out: [(FeedbackRecord, RequestRecord)] = []
        while try s.step() { out.append((Self.feedbackRecord(s), Self.requestRecord(s, from: 7))) }
        return out
    }

    // MARK: Rows

    static let requestColumns = """
        id, at, collection, index_version, key_id, channel, conversation_id, prompt_name, prompt_version, prompt_hash, backend,
        model, retrieval, question, standalone_question, answer, retrieved_chunks, cited_chunks, cited_sources, finish_reason,
        refused, timings, prompt_tokens, completion_tokens, cost, trace_id, variant
        """

    static func requestRecord(_ s: Statement, from c: Int32 = 0) -> RequestRecord {
        RequestRecord(
            id: s.text(c), at: s.double(c + 1), collection: s.text(c + 2), indexVersion: s.optionalText(c + 3),
            keyID: s.optionalText(c + 4), channel: s.text(c + 5), conversationID: s.optionalText(c + 6),
            promptName: s.text(c + 7), promptVersion: s.text(c + 8), promptHash: s.text(c + 9), backend: s.text(c + 10),
            model: s.text(c + 11), retrieval: decode(s.text(c + 12)) ?? [:], question: s.text(c + 13),
            standaloneQuestion: s.text(c + 14), answer: s.text(c + 15), retrievedChunks: decode(s.text(c + 16)) ?? [],
            citedChunks: decode(s.text(c + 17)) ?? [], citedSources: decode(s.text(c + 18)) ?? [],
            finishReason: s.text(c + 19), refused: s.int(c + 20) != 0, timings: decode(s.text(c + 21)) ?? [:],
            promptTokens: Int(s.int(c + 22)), completionTokens: Int(s.int(c + 23)),
            cost: s.isNull(c + 24) ? nil : s.double(c + 24), traceID: s.optionalText(c + 25), variant: s.optionalText(c + 26))
    }

    static func feedbackRecord(_ s: Statement) -> FeedbackRecord {
        FeedbackRecord(
            requestID: s.text(0), rating: Int(s.int(1)), comment: s.optionalText(2), expectedAnswer: s.optionalText(3),
            expectedSources: decode(s.text(4)) ?? [], keyID: s.optionalText(5), at: s.double(6))
    }

    static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }

    static func decode<T: Decodable>(_ text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
