import Foundation
import LoreCore
import LoreStore

/// The JSON shapes of the document routes.
enum DocumentJSON {
    /// A document in a listing, an upload's result or a deletion.
    struct Summary: Encodable {
        var id: Int64
        var source: String
        /// The upload's name for `upload:` documents (nil for files ingested by `lore ingest`).
        var name: String?
        var title: String
        var format: String
        var chunks: Int
        var metadata: JSONText
        var ingestedAt: String

        enum CodingKeys: String, CodingKey { case id, source, name, title, format, chunks, metadata, ingestedAt = "ingested_at" }

        init(_ r: DocumentRecord) {
            id = r.id
            source = r.source
            name = r.path.flatMap { $0.hasPrefix("upload:") ? String($0.dropFirst("upload:".count)) : nil }
            title = r.title
            format = r.format
            chunks = r.chunkCount
            metadata = JSONText(r.metadataJSON)
            ingestedAt = Date(timeIntervalSince1970: r.ingestedAt).ISO8601Format()
        }
    }

    struct Page: Encodable {
        var collection: String
        var documents: [Summary]
        /// Pass as `cursor` for the next page; null on the last page.
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case collection, documents, nextCursor = "next_cursor" }
    }

    struct ChunkJSON: Encodable {
        var id: Int64
        var ordinal: Int
        var headingPath: String
        var tokenCount: Int
        var page: Int?
        var text: String?
        enum CodingKeys: String, CodingKey { case id, ordinal, headingPath = "heading_path", tokenCount = "token_count", page, text }
    }

    struct Detail: Encodable {
        var collection: String
        var document: Summary
        var chunkList: [ChunkJSON]
        enum CodingKeys: String, CodingKey { case collection, document, chunkList = "chunks" }
    }

    struct UploadJSON: Encodable {
        var name: String
        var source: String
        var status: String
        var chunks: Int
        var documents: [Summary]
        var warnings: [String]
    }

    struct Uploaded: Encodable {
        var collection: String
        var uploads: [UploadJSON]
    }

    struct Deleted: Encodable {
        var collection: String
        var deleted: Summary
        var chunksRemoved: Int
        var vectorsRemoved: Int
        enum CodingKeys: String, CodingKey {
            case collection, deleted, chunksRemoved = "chunks_removed", vectorsRemoved = "vectors_removed"
        }
    }

    /// A JSON text written as it is (the stored metadata object).
    struct JSONText: Encodable {
        var value: JSONValue
        init(_ text: String) {
            value = (try? Array(text.utf8).withUnsafeBufferPointer { try JSONParser.parse($0) }) ?? .object([])
        }
        func encode(to encoder: any Encoder) throws {
            try Self.encode(value, to: encoder)
        }
        static func encode(_ v: JSONValue, to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch v {
            case .null: try c.encodeNil()
            case .bool(let b): try c.encode(b)
            case .number(let n): try c.encode(n)
            case .string(let s): try c.encode(s)
            case .array(let items): try c.encode(items.map(Box.init))
            case .object(let dict, _): try c.encode(dict.mapValues(Box.init))
            }
        }
        struct Box: Encodable {
            var v: JSONValue
            init(_ v: JSONValue) { self.v = v }
            func encode(to encoder: any Encoder) throws { try JSONText.encode(v, to: encoder) }
        }
    }
}
