import Foundation
import LoreCore

/// Vectors are stored as little-endian float32 blobs.
public enum VectorCoding {
    public static func encode(_ v: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: v.count * 4)
        out.withUnsafeMutableBytes { raw in
            for (i, x) in v.enumerated() { raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }
}

/// The embedding model a collection is bound to.
public struct EmbeddingModelInfo: Sendable, Equatable, CustomStringConvertible {
    public var id: String
    public var dimension: Int

    public init(id: String, dimension: Int) {
        self.id = id
        self.dimension = dimension
    }

    public var description: String { "\(id) (\(dimension) dimensions)" }
}

extension Store {
    /// The model the collection's vectors come from, once it has any.
    public func embeddingModel(collectionID: Int64) throws -> EmbeddingModelInfo? {
        let s = try connection.prepare("SELECT embedding_model, embedding_dim FROM collections WHERE id = ?")
        defer { s.reset() }
        try s.bind([.int(collectionID)])
        guard try s.step(), !s.isNull(0) else { return nil }
        return EmbeddingModelInfo(id: s.text(0), dimension: Int(s.int(1)))
    }

    /// Binds the collection to `model`.
    public func setEmbeddingModel(collectionID: Int64, _ model: EmbeddingModelInfo) throws {
        try connection.prepare("UPDATE collections SET embedding_model = ?, embedding_dim = ? WHERE id = ?")
            .run([.text(model.id), .int(Int64(model.dimension)), .int(collectionID)])
    }

    /// Cached embeddings of texts by their SHA-256, for `model`.
    public func cachedEmbeddings(model: String, textHashes: [String]) throws -> [String: [Float]] {
        let s = try connection.prepare("SELECT embedding FROM embedding_cache WHERE model = ? AND text_sha256 = ?")
        var out: [String: [Float]] = [:]
        for h in Set(textHashes) {
            s.reset()
            try s.bind([.text(model), .text(h)])
            if try s.step() { out[h] = VectorCoding.decode(s.blob(0)) }
        }
        s.reset()
        return out
    }

    /// Adds embeddings to the cache.
    public func cacheEmbeddings(model: String, _ entries: [(textHash: String, vector: [Float])]) throws {
        let s = try connection.prepare("INSERT OR REPLACE INTO embedding_cache(model, text_sha256, embedding) VALUES (?, ?, ?)")
        for e in entries { try s.run([.text(model), .text(e.textHash), .blob(VectorCoding.encode(e.vector))]) }
    }

    /// The stored vector of each chunk of a document, in chunk order.
    public func vectors(documentID: Int64) throws -> [(chunkID: Int64, model: String, vector: [Float])] {
        let s = try connection.prepare(
            """
            SELECT v.chunk_id, v.model, v.embedding FROM vectors v JOIN chunks c ON c.id = v.chunk_id
            WHERE c.document_id = ? ORDER BY c.ordinal
            """)
        try s.bind([.int(documentID)])
        var rows: [(Int64, String, [Float])] = []
        while try s.step() { rows.append((s.int(0), s.text(1), VectorCoding.decode(s.blob(2)))) }
        return rows
    }
}

extension Store {
    /// Every chunk of the collection: id and text, in id order.
    public func chunkTexts(collectionID: Int64) throws -> [(id: Int64, text: String)] {
        let s = try connection.prepare(
            """
            SELECT c.id, c.text FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE d.collection_id = ? ORDER BY c.id
            """)
        try s.bind([.int(collectionID)])
        var rows: [(Int64, String)] = []
        while try s.step() { rows.append((s.int(0), s.text(1))) }
        return rows
    }

    /// Every chunk id of the collection, in order.
    func chunkIDs(collectionID: Int64) throws -> [Int64] {
        let s = try connection.prepare(
            """
            SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE d.collection_id = ? ORDER BY c.id
            """)
        try s.bind([.int(collectionID)])
        var ids: [Int64] = []
        while try s.step() { ids.append(s.int(0)) }
        return ids
    }

    /// In one transaction: replaces the vectors of every chunk of the collection with
    /// `vectors` (one per chunk, all from `model`) and binds the collection to `model`.
    /// Fails, changing nothing, unless `vectors` covers exactly the collection's chunks.
    public func switchVectors(collectionID: Int64, to model: EmbeddingModelInfo, vectors: [Int64: [Float]]) throws {
        try connection.transaction {
            let current = try chunkIDs(collectionID: collectionID)
            guard current.count == vectors.count, current.allSatisfy({ vectors[$0] != nil }) else {
                throw StoreError(
                    "the collection changed during the reindex (\(current.count) chunks, \(vectors.count) new vectors): run lore reindex again"
                )
            }
            try connection.prepare(
                """
                DELETE FROM vectors WHERE chunk_id IN
                (SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.collection_id = ?)
                """
            ).run([.int(collectionID)])
            let insert = try connection.prepare("INSERT INTO vectors(chunk_id, model, dim, embedding) VALUES (?, ?, ?, ?)")
            for id in current {
                let v = vectors[id]!
                guard v.count == model.dimension else { throw StoreError("a vector of \(v.count) dimensions for model \(model)") }
                try insert.run([.int(id), .text(model.id), .int(Int64(v.count)), .blob(VectorCoding.encode(v))])
            }
            try setEmbeddingModel(collectionID: collectionID, model)
        }
    }
}
