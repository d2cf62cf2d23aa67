import Foundation
import LoreCore

/// What the store holds, for `lore stats`.
public struct StoreStats: Sendable, Codable {
    public struct Collection: Sendable, Codable {
        public var name: String
        public var documents: Int
        public var chunks: Int
        public var embeddingModel: String?
        public var embeddingDimension: Int?
    }
    public struct Run: Sendable, Codable {
        public var id: Int64
        public var collection: String
        public var status: String
        public var startedAt: Double
        public var finishedAt: Double?
    }

    public var collections: [Collection]
    public var documents: Int
    public var documentsByFormat: [String: Int]
    public var chunks: Int
    public var tokens: Int
    public var vectorsByModel: [String: Int]
    public var databaseBytes: Int
    public var walBytes: Int
    public var lastRun: Run?
    /// Chunks the ingest-time injection scan flagged (`lore guard flagged` lists them), and
    /// chunks it has scanned.
    public var flaggedChunks: Int = 0
    public var scannedChunks: Int = 0
}

/// The outcome of the store's consistency checks.
public struct IntegrityReport: Sendable {
    public var problems: [String]
    public var isConsistent: Bool { problems.isEmpty }
}

extension Store {
    public func stats() throws -> StoreStats {
        var collections: [StoreStats.Collection] = []
        let c = try connection.prepare(
            """
            SELECT c.name, c.embedding_model, c.embedding_dim,
                   (SELECT count(*) FROM documents d WHERE d.collection_id = c.id),
                   (SELECT count(*) FROM chunks k JOIN documents d ON d.id = k.document_id WHERE d.collection_id = c.id)
            FROM collections c ORDER BY c.name
            """)
        while try c.step() {
            collections.append(
                .init(
                    name: c.text(0), documents: Int(c.int(3)), chunks: Int(c.int(4)),
                    embeddingModel: c.optionalText(1), embeddingDimension: c.isNull(2) ? nil : Int(c.int(2))))
        }
        var byFormat: [String: Int] = [:]
        let f = try connection.prepare("SELECT format, count(*) FROM documents GROUP BY format")
        while try f.step() { byFormat[f.text(0)] = Int(f.int(1)) }
        var byModel: [String: Int] = [:]
        let v = try connection.prepare("SELECT model, count(*) FROM vectors GROUP BY model")
        while try v.step() { byModel[v.text(0)] = Int(v.int(1)) }
        let chunkTotals = try connection.prepare("SELECT count(*), coalesce(sum(token_count), 0) FROM chunks")
        _ = try chunkTotals.step()
        let chunks = Int(chunkTotals.int(0)), tokens = Int(chunkTotals.int(1))
        chunkTotals.reset()
        let pages = try connection.scalarInt("PRAGMA page_count") ?? 0
        let pageSize = try connection.scalarInt("PRAGMA page_size") ?? 0
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        let scans = try scanCounts()
        var lastRun: StoreStats.Run? = nil
        let r = try connection.prepare("SELECT id, collection, status, started_at, finished_at FROM ingest_runs ORDER BY id DESC LIMIT 1")
        if try r.step() {
            lastRun = .init(
                id: r.int(0), collection: r.text(1), status: r.text(2), startedAt: r.double(3), finishedAt: r.isNull(4) ? nil : r.double(4))
            r.reset()
        }
        return StoreStats(
            collections: collections, documents: byFormat.values.reduce(0, +), documentsByFormat: byFormat,
            chunks: chunks, tokens: tokens, vectorsByModel: byModel, databaseBytes: Int(pages * pageSize),
            walBytes: wal ?? 0, lastRun: lastRun, flaggedChunks: scans.flagged, scannedChunks: scans.scanned)
    }

    /// SQLite's integrity check, foreign keys, the FTS index, and Lore's own invariants
    /// (every document has chunks, ordinals are dense, no duplicate sources).
    public func checkIntegrity() throws -> IntegrityReport {
        var problems: [String] = []
        let ic = try connection.prepare("PRAGMA integrity_check")
        while try ic.step() { if ic.text(0) != "ok" { problems.append("integrity_check: \(ic.text(0))") } }
        let fk = try connection.prepare("PRAGMA foreign_key_check")
        while try fk.step() { problems.append("foreign key violation in \(fk.text(0)) row \(fk.int(1))") }
        do { try connection.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)") } catch {
            problems.append("FTS5 index out of step with chunks: \(error)")
        }
        let empty =
            try connection.scalarInt(
                "SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)") ?? 0
        if empty > 0 { problems.append("\(empty) documents have no chunks") }
        let gaps =
            try connection.scalarInt(
                "SELECT count(*) FROM (SELECT document_id FROM chunks GROUP BY document_id HAVING max(ordinal) + 1 != count(*))") ?? 0
        if gaps > 0 { problems.append("\(gaps) documents have missing chunk ordinals") }
        let ftsRows = try connection.scalarInt("SELECT count(*) FROM chunks_fts") ?? 0
        let chunkRows = try connection.scalarInt("SELECT count(*) FROM chunks") ?? 0
        if ftsRows != chunkRows { problems.append("FTS5 has \(ftsRows) rows, chunks has \(chunkRows)") }
        return IntegrityReport(problems: problems)
    }
}
