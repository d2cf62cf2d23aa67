import Foundation
import LoreCore

/// Everything retrieval needs of one chunk: where it comes from, its text and place in its
/// document, and (when asked for) its stored vector.
public struct ChunkRecord: Sendable, Equatable {
    public var id: Int64
    public var documentID: Int64
    public var source: String
    public var title: String
    public var format: String
    /// The heading path as stored (`A > B`).
    public var headingPath: String
    public var text: String
    /// UTF-8 byte range of the chunk in its document's text.
    public var range: Range<Int>
    public var page: Int?
    /// The stored embedding (nil when not asked for, or the chunk has none).
    public var vector: [Float]?
}

extension Store {
    /// The chunks in `ids` that exist in the collection, keyed by id, in one query.
    public func chunkRecords(_ ids: [Int64], collectionID: Int64, vectors: Bool) throws -> [Int64: ChunkRecord] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: ChunkRecord] = [:]
        out.reserveCapacity(ids.count)
        // SQLite allows 32,766 parameters; stay well below in slices.
        for slice in stride(from: 0, to: ids.count, by: 500).map({ ids[$0..<min($0 + 500, ids.count)] }) {
            let placeholders = Array(repeating: "?", count: slice.count).joined(separator: ",")
            let s = try connection.prepare(
                """
                SELECT c.id, c.document_id, d.source, d.title, d.format, c.heading_path, c.text, c.char_start, c.char_end,
                       c.page, \(vectors ? "v.embedding" : "NULL")
                FROM chunks c JOIN documents d ON d.id = c.document_id
                \(vectors ? "LEFT JOIN vectors v ON v.chunk_id = c.id" : "")
                WHERE +d.collection_id = ? AND c.id IN (\(placeholders))
                """)
            defer { s.reset() }
            try s.bind([.int(collectionID)] + slice.map { .int($0) })
            while try s.step() {
                let id = s.int(0)
                out[id] = ChunkRecord(
                    id: id, documentID: s.int(1), source: s.text(2), title: s.text(3), format: s.text(4),
                    headingPath: s.text(5), text: s.text(6), range: Int(s.int(7))..<Int(s.int(8)),
                    page: s.isNull(9) ? nil : Int(s.int(9)),
                    vector: s.isNull(10) ? nil : VectorCoding.decode(s.blob(10)))
            }
        }
        return out
    }
}
