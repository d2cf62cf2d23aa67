import Foundation
import LoreCore

/// Sentence vectors are stored as little-endian float16 blobs: half the bytes of float32,
/// and a cosine between unit vectors moves by about 1e-4.
public enum HalfVectorCoding {
    public static func encode(_ v: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: v.count * 2)
        out.withUnsafeMutableBytes { raw in
            for (i, x) in v.enumerated() { raw.storeBytes(of: Float16(x).bitPattern.littleEndian, toByteOffset: i * 2, as: UInt16.self) }
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 2)).map {
                Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))))
            }
        }
    }
}

extension Store {
    /// Chunks of the collection whose sentences are not done for `model` under `rules`, in id
    /// order, at most `limit`.
    public func chunksWithoutSentenceVectors(collectionID: Int64, model: String, rules: String, limit: Int = 1_000) throws -> [(
        id: Int64, text: String
    )] {
        let s = try connection.prepare(
            """
            SELECT c.id, c.text FROM chunks c JOIN documents d ON d.id = c.document_id
            LEFT JOIN chunk_sentences s ON s.chunk_id = c.id
            WHERE d.collection_id = ?1 AND (s.chunk_id IS NULL OR s.model != ?2 OR s.rules != ?3)
            ORDER BY c.id LIMIT ?4
            """)
        try s.bind([.int(collectionID), .text(model), .text(rules), .int(Int64(limit))])
        var out: [(Int64, String)] = []
        while try s.step() { out.append((s.int(0), s.text(1))) }
        return out
    }

    /// The stored sentence vectors for `model` by text hash (hashes without one are left out).
    public func sentenceVectors(model: String, textHashes: [String]) throws -> [String: [Float]] {
        let s = try connection.prepare("SELECT embedding FROM sentence_vectors WHERE model = ? AND text_sha256 = ?")
        defer { s.reset() }
        var out: [String: [Float]] = [:]
        for h in Set(textHashes) {
            s.reset()
            try s.bind([.text(model), .text(h)])
            if try s.step() { out[h] = HalfVectorCoding.decode(s.blob(0)) }
        }
        return out
    }

    /// In one transaction: stores the sentence vectors (a hash already stored is kept) and
    /// marks the chunks done with their sentence counts.
    public func recordSentenceVectors(
        model: String, rules: String, vectors: [(textHash: String, vector: [Float])], chunks: [(id: Int64, sentences: Int)]
    ) throws {
        try connection.transaction {
            let insert = try connection.prepare("INSERT OR IGNORE INTO sentence_vectors(model, text_sha256, embedding) VALUES (?, ?, ?)")
            for v in vectors { try insert.run([.text(model), .text(v.textHash), .blob(HalfVectorCoding.encode(v.vector))]) }
            let mark = try connection.prepare(
                "INSERT OR REPLACE INTO chunk_sentences(chunk_id, model, rules, sentences) VALUES (?, ?, ?, ?)")
            for c in chunks { try mark.run([.int(c.id), .text(model), .text(rules), .int(Int64(c.sentences))]) }
        }
    }

    /// Stored sentence vectors for `model`, and the collection's chunks marked done for it.
    public func sentenceVectorCounts(collectionID: Int64, model: String) throws -> (vectors: Int, chunks: Int) {
        let vectors = try connection.scalarInt("SELECT count(*) FROM sentence_vectors WHERE model = ?", [.text(model)]) ?? 0
        let chunks =
            try connection.scalarInt(
                """
                SELECT count(*) FROM chunk_sentences s JOIN chunks c ON c.id = s.chunk_id JOIN documents d ON d.id = c.document_id
                WHERE d.collection_id = ? AND s.model = ?
                """, [.int(collectionID), .text(model)]) ?? 0
        return (Int(vectors), Int(chunks))
    }
}
