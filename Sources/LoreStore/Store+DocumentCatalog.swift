import Foundation
import LoreCore

/// A stored document as the document API shows it.
public struct DocumentRecord: Sendable, Equatable {
    public var id: Int64
    public var source: String
    public var path: String?
    public var format: String
    public var title: String
    /// The metadata as stored (a JSON object's text).
    public var metadataJSON: String
    /// Seconds since 1970.
    public var ingestedAt: Double
    public var chunkCount: Int
}

/// What deleting one document removed.
public struct DocumentRemoval: Sendable, Equatable {
    public var document: DocumentRecord
    public var chunks: Int
    public var vectors: Int
}

extension Store {
    private static let recordColumns = """
        d.id, d.source, d.path, d.format, d.title, d.metadata, d.ingested_at,
        (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)
        """

    private func record(_ s: Statement) -> DocumentRecord {
        DocumentRecord(
            id: s.int(0), source: s.text(1), path: s.optionalText(2), format: s.text(3), title: s.text(4),
            metadataJSON: s.text(5), ingestedAt: s.double(6), chunkCount: Int(s.int(7)))
    }

    /// A page of the collection's documents satisfying `filter`, in id order, starting after
    /// the id `after` (keyset paging: a page stays right while documents are added or removed).
    public func documentPage(collectionID: Int64, filter: ChunkFilter, after: Int64, limit: Int) throws -> [DocumentRecord] {
        let (conditions, bindings) = filter.sqlConditions(document: "d")
        let s = try connection.prepare(
            """
            SELECT \(Self.recordColumns) FROM documents d
            WHERE d.collection_id = ? AND d.id > ?\(conditions) ORDER BY d.id LIMIT ?
            """)
        try s.bind([.int(collectionID), .int(after)] + bindings + [.int(Int64(limit))])
        var out: [DocumentRecord] = []
        while try s.step() { out.append(record(s)) }
        return out
    }

    /// The document `id` if it belongs to the collection (nil otherwise, also for another
    /// collection's document).
    public func documentRecord(id: Int64, collectionID: Int64) throws -> DocumentRecord? {
        let s = try connection.prepare("SELECT \(Self.recordColumns) FROM documents d WHERE d.id = ? AND d.collection_id = ?")
        try s.bind([.int(id), .int(collectionID)])
        return try s.step() ? record(s) : nil
    }

    /// The collection's documents made from `path` (a file, or an upload's `upload:` URI), in id order.
    public func documentRecords(collectionID: Int64, path: String) throws -> [DocumentRecord] {
        let s = try connection.prepare(
            "SELECT \(Self.recordColumns) FROM documents d WHERE d.collection_id = ? AND d.path = ? ORDER BY d.id")
        try s.bind([.int(collectionID), .text(path)])
        var out: [DocumentRecord] = []
        while try s.step() { out.append(record(s)) }
        return out
    }

    /// Deletes one document of the collection, in one transaction: its FTS5 rows, then the
    /// document (its chunks and vectors by cascade; the vector deletions are logged for the
    /// index). Documents made from the same file lose their file hash, so that the next
    /// ingest of that file stores it again whole. Nil when the collection has no such document.
    public func deleteDocument(id: Int64, collectionID: Int64) throws -> DocumentRemoval? {
        try connection.transaction {
            guard let doc = try documentRecord(id: id, collectionID: collectionID) else { return nil }
            let vectors = Int(
                try connection.scalarInt(
                    "SELECT count(*) FROM vectors v JOIN chunks c ON c.id = v.chunk_id WHERE c.document_id = ?", [.int(id)]) ?? 0)
            let old = try connection.prepare("SELECT id, text, heading_path FROM chunks WHERE document_id = ?")
            try old.bind([.int(id)])
            var rows: [(Int64, String, String)] = []
            while try old.step() { rows.append((old.int(0), old.text(1), old.text(2))) }
            let unindex = try connection.prepare("INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_path) VALUES ('delete', ?, ?, ?)")
            for (chunk, text, heading) in rows { try unindex.run([.int(chunk), .text(text), .text(heading)]) }
            try connection.prepare("DELETE FROM documents WHERE id = ?").run([.int(id)])
            if let path = doc.path {
                try connection.prepare("UPDATE documents SET file_sha256 = NULL WHERE collection_id = ? AND path = ?")
                    .run([.int(collectionID), .text(path)])
            }
            return DocumentRemoval(document: doc, chunks: rows.count, vectors: vectors)
        }
    }
}
