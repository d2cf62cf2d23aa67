import Foundation
import LoreCore

/// One row of the guardrail audit trail. `excerpt` is redacted text and `hash` a digest of
/// what was found: the raw personal data or secret is never stored.
public struct AuditRecord: Sendable, Equatable, Codable {
    public var at: Double
    public var requestID: String
    public var stage: String
    public var rule: String
    public var action: String
    public var prompt: String?
    public var score: Double?
    public var excerpt: String
    public var hash: String?

    public init(
        at: Double = Date().timeIntervalSince1970, requestID: String, stage: String, rule: String, action: String,
        prompt: String? = nil, score: Double? = nil, excerpt: String = "", hash: String? = nil
    ) {
        self.at = at
        self.requestID = requestID
        self.stage = stage
        self.rule = rule
        self.action = action
        self.prompt = prompt
        self.score = score
        self.excerpt = excerpt
        self.hash = hash
    }

    enum CodingKeys: String, CodingKey {
        case at, requestID = "request_id", stage, rule, action, prompt, score, excerpt, hash
    }
}

/// The outcome of the ingest-time injection scan of one chunk.
public struct ChunkScan: Sendable, Equatable {
    public var chunkID: Int64
    public var flagged: Bool
    public var score: Double
    /// The rules that fired, comma-separated.
    public var rules: String

    public init(chunkID: Int64, flagged: Bool, score: Double, rules: String) {
        self.chunkID = chunkID
        self.flagged = flagged
        self.score = score
        self.rules = rules
    }
}

/// A chunk the ingest-time scan flagged, for `lore guard flagged`, `lore stats` and the API.
public struct FlaggedChunk: Sendable, Codable, Equatable {
    public var chunkID: Int64
    public var collection: String
    public var source: String
    public var ordinal: Int
    public var score: Double
    public var rules: String
    public var snippet: String

    enum CodingKeys: String, CodingKey {
        case chunkID = "chunk_id", collection, source, ordinal, score, rules, snippet
    }
}

extension Store {
    /// Appends audit records in one transaction.
    public func appendAudit(_ records: [AuditRecord]) throws {
        guard !records.isEmpty else { return }
        try connection.transaction {
            let s = try connection.prepare(
                """
                INSERT INTO guard_audit(at, request_id, stage, rule, action, prompt, score, excerpt, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in records {
                try s.run([
                    .double(r.at), .text(r.requestID), .text(r.stage), .text(r.rule), .text(r.action),
                    r.prompt.map { .text($0) } ?? .null, r.score.map { .double($0) } ?? .null,
                    .text(r.excerpt), r.hash.map { .text($0) } ?? .null
                ])
            }
        }
    }

    /// The newest audit records first, optionally only one request's.
    public func auditRecords(requestID: String? = nil, limit: Int = 100) throws -> [AuditRecord] {
        let s = try connection.prepare(
            """
            SELECT at, request_id, stage, rule, action, prompt, score, excerpt, hash FROM guard_audit
            WHERE ?1 IS NULL OR request_id = ?1 ORDER BY id DESC LIMIT ?2
            """)
        try s.bind([requestID.map { .text($0) } ?? .null, .int(Int64(limit))])
        var out: [AuditRecord] = []
        while try s.step() {
            out.append(
                AuditRecord(
                    at: s.double(0), requestID: s.text(1), stage: s.text(2), rule: s.text(3), action: s.text(4),
                    prompt: s.optionalText(5), score: s.isNull(6) ? nil : s.double(6), excerpt: s.text(7),
                    hash: s.optionalText(8)))
        }
        return out
    }

    /// Chunks not yet scanned by `detector` (never scanned, or by another version), in id
    /// order, at most `limit`, with their text and their stored vector (nil without one).
    public func chunksToScan(detector: String, limit: Int = 1_000) throws -> [(id: Int64, text: String, model: String?, vector: [Float]?)] {
        let s = try connection.prepare(
            """
            SELECT c.id, c.text, v.model, v.embedding FROM chunks c LEFT JOIN chunk_guard_scans g ON g.chunk_id = c.id
            LEFT JOIN vectors v ON v.chunk_id = c.id
            WHERE g.chunk_id IS NULL OR g.detector != ?1 ORDER BY c.id LIMIT ?2
            """)
        try s.bind([.text(detector), .int(Int64(limit))])
        var out: [(Int64, String, String?, [Float]?)] = []
        while try s.step() {
            let model: String? = s.isNull(2) ? nil : s.text(2)
            out.append((s.int(0), s.text(1), model, model == nil ? nil : VectorCoding.decode(s.blob(3))))
        }
        return out
    }

    /// The outcomes `detector` stored for these chunks (chunks it has not scanned are left out).
    public func scans(of chunkIDs: [Int64], detector: String) throws -> [ChunkScan] {
        guard !chunkIDs.isEmpty else { return [] }
        let s = try connection.prepare(
            """
            SELECT chunk_id, flagged, score, rules FROM chunk_guard_scans
            WHERE detector = ? AND chunk_id IN (\(Array(repeating: "?", count: chunkIDs.count).joined(separator: ",")))
            """)
        defer { s.reset() }
        try s.bind([.text(detector)] + chunkIDs.map { .int($0) })
        var out: [ChunkScan] = []
        while try s.step() { out.append(ChunkScan(chunkID: s.int(0), flagged: s.int(1) != 0, score: s.double(2), rules: s.text(3))) }
        return out
    }

    /// Records scan outcomes (replacing earlier ones) in one transaction.
    public func recordScans(_ scans: [ChunkScan], detector: String) throws {
        guard !scans.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        try connection.transaction {
            let s = try connection.prepare(
                """
                INSERT OR REPLACE INTO chunk_guard_scans(chunk_id, detector, flagged, score, rules, scanned_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            for r in scans {
                try s.run([.int(r.chunkID), .text(detector), .int(r.flagged ? 1 : 0), .double(r.score), .text(r.rules), .double(now)])
            }
        }
    }

    /// The chunks the scan flagged, optionally in one collection, in id order.
    public func flaggedChunks(collection: String? = nil, limit: Int = 1_000) throws -> [FlaggedChunk] {
        let s = try connection.prepare(
            """
            SELECT g.chunk_id, col.name, d.source, c.ordinal, g.score, g.rules, substr(c.text, 1, 200)
            FROM chunk_guard_scans g JOIN chunks c ON c.id = g.chunk_id JOIN documents d ON d.id = c.document_id
            JOIN collections col ON col.id = d.collection_id
            WHERE g.flagged = 1 AND (?1 IS NULL OR col.name = ?1) ORDER BY g.chunk_id LIMIT ?2
            """)
        try s.bind([collection.map { .text($0) } ?? .null, .int(Int64(limit))])
        var out: [FlaggedChunk] = []
        while try s.step() {
            out.append(
                FlaggedChunk(
                    chunkID: s.int(0), collection: s.text(1), source: s.text(2), ordinal: Int(s.int(3)),
                    score: s.double(4), rules: s.text(5), snippet: s.text(6)))
        }
        return out
    }

    /// How many chunks the scan has flagged, and how many it has scanned.
    public func scanCounts() throws -> (flagged: Int, scanned: Int) {
        let flagged = try connection.scalarInt("SELECT count(*) FROM chunk_guard_scans WHERE flagged = 1") ?? 0
        let scanned = try connection.scalarInt("SELECT count(*) FROM chunk_guard_scans") ?? 0
        return (Int(flagged), Int(scanned))
    }
}
