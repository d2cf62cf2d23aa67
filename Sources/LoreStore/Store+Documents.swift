import Foundation
import LoreCore

/// A document ready to be written: its chunks, and the facts about the file it came from.
public struct PreparedDocument: Sendable {
    public var document: Document
    public var chunks: [Chunk]
    /// One vector per chunk, from `model`, or nil when the run stores no vectors.
    public var vectors: [[Float]]?
    public var model: String?

    public init(document: Document, chunks: [Chunk], vectors: [[Float]]? = nil, model: String? = nil) {
        self.document = document
        self.chunks = chunks
        self.vectors = vectors
        self.model = model
    }
}

/// What is known of the file a set of documents came from.
public struct FileFacts: Sendable, Equatable {
    public var sha256: String
    public var mtime: Double
    public var size: Int

    public init(sha256: String, mtime: Double, size: Int) {
        self.sha256 = sha256
        self.mtime = mtime
        self.size = size
    }
}

/// The result of writing one file's documents.
public struct FileWriteResult: Sendable {
    /// Documents stored.
    public var documents = 0
    /// Chunks stored.
    public var chunks = 0
    /// Documents of the file that were there before and were replaced or removed.
    public var replaced = 0
    /// Documents not stored because an identical one is already in the collection: (source, the one it duplicates).
    public var duplicates: [(source: String, of: String)] = []
}

extension Store {
    /// For each file path in the collection, the SHA-256 its documents were made from.
    public func fileHashes(collectionID: Int64) throws -> [String: String] {
        let s = try connection.prepare("SELECT path, file_sha256 FROM documents WHERE collection_id = ? AND path IS NOT NULL GROUP BY path")
        try s.bind([.int(collectionID)])
        var out: [String: String] = [:]
        while try s.step() { out[s.text(0)] = s.optionalText(1) ?? "" }
        return out
    }

    /// Replaces, in one transaction, every document of `path` in the collection with
    /// `documents`. A document whose text duplicates one already stored in the collection
    /// (from another source) is not stored, and is reported.
    public func replaceFile(collectionID: Int64, path: String, file: FileFacts?, documents: [PreparedDocument]) throws -> FileWriteResult {
        try connection.transaction {
            var result = FileWriteResult()
            result.replaced = try deleteDocuments(collectionID: collectionID, path: path)
            for prepared in documents {
                let doc = prepared.document
                let sha = doc.contentSHA256
                let dup = try connection.prepare("SELECT source FROM documents WHERE collection_id = ? AND content_sha256 = ? LIMIT 1")
                try dup.bind([.int(collectionID), .text(sha)])
                if try dup.step() {
                    result.duplicates.append((doc.source, dup.text(0)))
                    dup.reset()
                    continue
                }
                try insert(prepared, sha: sha, collectionID: collectionID, file: file)
                result.documents += 1
                result.chunks += prepared.chunks.count
            }
            return result
        }
    }

    private func insert(_ prepared: PreparedDocument, sha: String, collectionID: Int64, file: FileFacts?) throws {
        let doc = prepared.document
        try connection.prepare(
            """
            INSERT INTO documents(collection_id, source, path, format, title, content_sha256, file_sha256, file_mtime, file_size, metadata, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run([
            .int(collectionID), .text(doc.source), doc.path.map { .text($0) } ?? .null, .text(doc.format.rawValue), .text(doc.title),
            .text(sha), file.map { .text($0.sha256) } ?? .null, file.map { .double($0.mtime) } ?? .null,
            file.map { .int(Int64($0.size)) } ?? .null, .text(doc.metadata.serializedJSON()), .double(Date().timeIntervalSince1970)
        ])
        let documentID = connection.lastInsertRowID
        let insertChunk = try connection.prepare(
            """
            INSERT INTO chunks(document_id, ordinal, text, token_count, heading_path, char_start, char_end, page)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let indexChunk = try connection.prepare("INSERT INTO chunks_fts(rowid, text, heading_path) VALUES (?, ?, ?)")
        let insertVector = try connection.prepare("INSERT INTO vectors(chunk_id, model, dim, embedding) VALUES (?, ?, ?, ?)")
        if let vectors = prepared.vectors, vectors.count != prepared.chunks.count {
            throw StoreError("\(doc.source): \(vectors.count) vectors for \(prepared.chunks.count) chunks")
        }
        for (n, c) in prepared.chunks.enumerated() {
            let heading = c.headingPathString
            try insertChunk.run([
                .int(documentID), .int(Int64(c.ordinal)), .text(c.text), .int(Int64(c.tokenCount)), .text(heading),
                .int(Int64(c.range.lowerBound)), .int(Int64(c.range.upperBound)), c.page.map { .int(Int64($0)) } ?? .null
            ])
            let chunkID = connection.lastInsertRowID
            try indexChunk.run([.int(chunkID), .text(c.text), .text(heading)])
            if let v = prepared.vectors?[n], let model = prepared.model {
                try insertVector.run([.int(chunkID), .text(model), .int(Int64(v.count)), .blob(VectorCoding.encode(v))])
            }
        }
    }

    /// Deletes the documents of `path` (chunks and vectors by cascade), removing their chunks
    /// from the FTS5 index first. Returns how many documents.
    private func deleteDocuments(collectionID: Int64, path: String) throws -> Int {
        let old = try connection.prepare(
            """
            SELECT c.id, c.text, c.heading_path FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE d.collection_id = ? AND d.path = ?
            """)
        try old.bind([.int(collectionID), .text(path)])
        var rows: [(Int64, String, String)] = []
        while try old.step() { rows.append((old.int(0), old.text(1), old.text(2))) }
        let unindex = try connection.prepare("INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_path) VALUES ('delete', ?, ?, ?)")
        for (id, text, heading) in rows { try unindex.run([.int(id), .text(text), .text(heading)]) }
        try connection.prepare("DELETE FROM documents WHERE collection_id = ? AND path = ?").run([.int(collectionID), .text(path)])
        return connection.changes
    }

    /// Removes every document of `path` in the collection; returns how many.
    @discardableResult
    public func removeFile(collectionID: Int64, path: String) throws -> Int {
        try connection.transaction { try deleteDocuments(collectionID: collectionID, path: path) }
    }

    /// A stored document's summary.
    public struct DocumentRow: Sendable, Equatable {
        public var id: Int64
        public var source: String
        public var path: String?
        public var format: String
        public var title: String
        public var chunkCount: Int
    }

    /// The documents of a collection, in source order.
    public func documents(collectionID: Int64) throws -> [DocumentRow] {
        let s = try connection.prepare(
            """
            SELECT d.id, d.source, d.path, d.format, d.title, (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)
            FROM documents d WHERE d.collection_id = ? ORDER BY d.source
            """)
        try s.bind([.int(collectionID)])
        var rows: [DocumentRow] = []
        while try s.step() {
            rows.append(
                DocumentRow(
                    id: s.int(0), source: s.text(1), path: s.optionalText(2), format: s.text(3), title: s.text(4), chunkCount: Int(s.int(5))
                ))
        }
        return rows
    }

    /// A stored chunk.
    public struct ChunkRow: Sendable, Equatable {
        public var id: Int64
        public var documentID: Int64
        public var ordinal: Int
        public var text: String
        public var tokenCount: Int
        public var headingPath: String
        public var range: Range<Int>
        public var page: Int?
    }

    /// The chunks of a document, in order.
    public func chunks(documentID: Int64) throws -> [ChunkRow] {
        let s = try connection.prepare(
            "SELECT id, document_id, ordinal, text, token_count, heading_path, char_start, char_end, page FROM chunks WHERE document_id = ? ORDER BY ordinal"
        )
        try s.bind([.int(documentID)])
        var rows: [ChunkRow] = []
        while try s.step() {
            rows.append(
                ChunkRow(
                    id: s.int(0), documentID: s.int(1), ordinal: Int(s.int(2)), text: s.text(3), tokenCount: Int(s.int(4)),
                    headingPath: s.text(5), range: Int(s.int(6))..<Int(s.int(7)), page: s.isNull(8) ? nil : Int(s.int(8))))
        }
        return rows
    }

    /// Chunk ids matching an FTS5 query, best first (BM25).
    public func searchText(_ ftsQuery: String, limit: Int = 10) throws -> [Int64] {
        let s = try connection.prepare("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?")
        try s.bind([.text(ftsQuery), .int(Int64(limit))])
        var ids: [Int64] = []
        while try s.step() { ids.append(s.int(0)) }
        return ids
    }
}
