import Foundation

/// The stored snapshot of a collection's vector index (its parts are read separately).
public struct IndexSnapshotRecord: Sendable, Equatable {
    public var kind: String
    /// The last `index_log` sequence number the snapshot includes.
    public var seq: Int64
    /// The index's own description of its layout (JSON).
    public var header: String
    public var parts: Int
    public var bytes: Int64
    public var createdAt: Date
}

/// One change to the set of vectors: `added` or removed, by chunk id.
public struct IndexLogEntry: Sendable, Equatable {
    public var seq: Int64
    public var chunkID: Int64
    public var added: Bool
}

extension Store {
    /// The newest sequence number of the vector change log (0 when it is empty).
    public func indexLogHead() throws -> Int64 {
        try connection.scalarInt("SELECT max(seq) FROM index_log") ?? 0
    }

    /// Changes to vectors after `seq`, in order.
    public func indexLog(after seq: Int64) throws -> [IndexLogEntry] {
        let s = try connection.prepare("SELECT seq, chunk_id, op FROM index_log WHERE seq > ? ORDER BY seq")
        defer { s.reset() }
        try s.bind([.int(seq)])
        var out: [IndexLogEntry] = []
        while try s.step() { out.append(IndexLogEntry(seq: s.int(0), chunkID: s.int(1), added: s.int(2) == 1)) }
        return out
    }

    /// Drops log entries every snapshot already includes.
    public func pruneIndexLog() throws {
        guard let oldest = try connection.scalarInt("SELECT min(seq) FROM index_snapshots") else { return }
        try connection.prepare("DELETE FROM index_log WHERE seq <= ?").run([.int(oldest)])
    }

    public func indexSnapshot(collectionID: Int64) throws -> IndexSnapshotRecord? {
        let s = try connection.prepare("SELECT kind, seq, header, parts, bytes, created_at FROM index_snapshots WHERE collection_id = ?")
        defer { s.reset() }
        try s.bind([.int(collectionID)])
        guard try s.step() else { return nil }
        return IndexSnapshotRecord(
            kind: s.text(0), seq: s.int(1), header: s.text(2), parts: Int(s.int(3)), bytes: s.int(4),
            createdAt: Date(timeIntervalSince1970: s.double(5)))
    }

    /// Calls `body` with each stored part of the snapshot, in order, in place.
    public func readIndexParts(collectionID: Int64, _ body: (_ part: Int, _ checksum: UInt64, UnsafeRawBufferPointer) throws -> Void) throws
    {
        let s = try connection.prepare("SELECT part, checksum, data FROM index_parts WHERE collection_id = ? ORDER BY part")
        defer { s.reset() }
        try s.bind([.int(collectionID)])
        while try s.step() {
            let part = Int(s.int(0)), checksum = UInt64(bitPattern: s.int(1))
            try s.withBlob(2) { try body(part, checksum, $0) }
        }
    }

    /// Replaces the collection's snapshot in one transaction: either the whole new one is
    /// stored or the old one stays. `parts` yields each part's bytes and checksum in order;
    /// `progress` is told after each part is written.
    public func writeIndexSnapshot(
        collectionID: Int64, kind: String, seq: Int64, header: String,
        parts: (_ emit: (_ checksum: UInt64, UnsafeRawBufferPointer) throws -> Void) throws -> Void,
        progress: ((Int) -> Void)? = nil
    ) throws {
        try connection.transaction {
            try connection.prepare("DELETE FROM index_parts WHERE collection_id = ?").run([.int(collectionID)])
            try connection.prepare("DELETE FROM index_snapshots WHERE collection_id = ?").run([.int(collectionID)])
            let insert = try connection.prepare("INSERT INTO index_parts(collection_id, part, checksum, data) VALUES (?, ?, ?, ?)")
            var count = 0
            var bytes: Int64 = 0
            try parts { checksum, data in
                insert.reset()
                try insert.bind([.int(collectionID), .int(Int64(count)), .int(Int64(bitPattern: checksum))])
                try insert.bindBlobNoCopy(data, at: 4)
                while try insert.step() {}
                insert.reset()
                count += 1
                bytes += Int64(data.count)
                progress?(count)
            }
            try connection.prepare(
                "INSERT INTO index_snapshots(collection_id, kind, seq, header, parts, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )
            .run([
                .int(collectionID), .text(kind), .int(seq), .text(header), .int(Int64(count)), .int(bytes),
                .double(Date().timeIntervalSince1970)
            ])
            try pruneIndexLog()
        }
    }

    /// Removes the collection's snapshot (the next load rebuilds from the vectors).
    public func dropIndexSnapshot(collectionID: Int64) throws {
        try connection.transaction {
            try connection.prepare("DELETE FROM index_parts WHERE collection_id = ?").run([.int(collectionID)])
            try connection.prepare("DELETE FROM index_snapshots WHERE collection_id = ?").run([.int(collectionID)])
        }
    }

    /// Calls `body` with every vector of the collection (chunk id, float32 bytes in place),
    /// in chunk-id order.
    public func forEachVector(collectionID: Int64, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        let s = try connection.prepare(
            """
            SELECT v.chunk_id, v.embedding FROM vectors v JOIN chunks c ON c.id = v.chunk_id
            JOIN documents d ON d.id = c.document_id WHERE d.collection_id = ? ORDER BY v.chunk_id
            """)
        defer { s.reset() }
        try s.bind([.int(collectionID)])
        while try s.step() {
            let id = s.int(0)
            try s.withBlob(1) { try body(id, $0) }
        }
    }

    /// The vector of a chunk of the collection, if it has one.
    public func vector(chunkID: Int64, collectionID: Int64) throws -> [Float]? {
        let s = try connection.prepare(
            """
            SELECT v.embedding FROM vectors v JOIN chunks c ON c.id = v.chunk_id
            JOIN documents d ON d.id = c.document_id WHERE v.chunk_id = ? AND d.collection_id = ?
            """)
        defer { s.reset() }
        try s.bind([.int(chunkID), .int(collectionID)])
        guard try s.step() else { return nil }
        return VectorCoding.decode(s.blob(0))
    }

    /// How many vectors the collection has.
    public func vectorCount(collectionID: Int64) throws -> Int {
        Int(
            try connection.scalarInt(
                """
                SELECT count(*) FROM vectors v JOIN chunks c ON c.id = v.chunk_id
                JOIN documents d ON d.id = c.document_id WHERE d.collection_id = ?
                """, [.int(collectionID)]) ?? 0)
    }
}
