import Foundation
import LoreCore

/// Metadata conditions that restrict which chunks a search may return. Every condition
/// given must hold; within `sources` and `formats`, any one may match.
public struct ChunkFilter: Sendable, Equatable {
    /// Globs on the document's source (its path for files, `path#N` for records), with
    /// SQLite's GLOB rules: case-sensitive, `*` and `?` also match `/`.
    public var sources: [String]
    /// Document formats (`txt`, `md`, `html`, `pdf`, `json`, `jsonl`, `csv`, `code`).
    public var formats: [DocumentFormat]
    /// Metadata key = value pairs; the stored value is compared as text.
    public var metadata: [(key: String, value: String)]

    public init(sources: [String] = [], formats: [DocumentFormat] = [], metadata: [(key: String, value: String)] = []) {
        self.sources = sources
        self.formats = formats
        self.metadata = metadata
    }

    public var isEmpty: Bool { sources.isEmpty && formats.isEmpty && metadata.isEmpty }

    public static func == (a: ChunkFilter, b: ChunkFilter) -> Bool {
        a.sources == b.sources && a.formats == b.formats
            && a.metadata.elementsEqual(b.metadata) { $0.key == $1.key && $0.value == $1.value }
    }

    /// Parses `key=value`, naming the parameter when it is malformed.
    public static func metadataCondition(_ text: String, parameter: String = "--meta") throws -> (key: String, value: String) {
        guard let eq = text.firstIndex(of: "=") else { throw StoreError("\(parameter) \(text): expected KEY=VALUE") }
        let key = String(text[..<eq]), value = String(text[text.index(after: eq)...])
        guard !key.isEmpty else { throw StoreError("\(parameter) \(text): the key is empty") }
        guard !key.contains("\"") else { throw StoreError("\(parameter) \(text): a key may not contain a double quote") }
        return (key, value)
    }

    /// Parses a format name, naming the parameter and the accepted names when unknown.
    public static func format(_ text: String, parameter: String = "--format") throws -> DocumentFormat {
        guard let f = DocumentFormat(rawValue: text) else {
            throw StoreError(
                "\(parameter) \(text): unknown format; use one of \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return f
    }
}

extension ChunkFilter {
    /// The filter as SQL: ` AND ...` conditions on the documents table aliased `document`,
    /// with their bindings in order (empty for an empty filter).
    func sqlConditions(document d: String) -> (String, [SQLValue]) {
        var sql = ""
        var bindings: [SQLValue] = []
        if !sources.isEmpty {
            sql += " AND (" + sources.map { _ in "\(d).source GLOB ?" }.joined(separator: " OR ") + ")"
            bindings += sources.map { .text($0) }
        }
        if !formats.isEmpty {
            sql += " AND \(d).format IN (" + formats.map { _ in "?" }.joined(separator: ", ") + ")"
            bindings += formats.map { .text($0.rawValue) }
        }
        for (key, value) in metadata {
            sql += " AND CAST(json_extract(\(d).metadata, ?) AS TEXT) = ?"
            bindings += [.text("$.\"\(key)\""), .text(value)]
        }
        return (sql, bindings)
    }
}

extension Store {
    /// The ids of the collection's chunks that have a vector and satisfy `filter`: the
    /// allow-set a filtered vector search takes.
    public func chunkIDs(collectionID: Int64, matching filter: ChunkFilter) throws -> Set<Int64> {
        let (conditions, values) = filter.sqlConditions(document: "d")
        let sql = """
            SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id JOIN vectors v ON v.chunk_id = c.id
            WHERE d.collection_id = ?
            """ + conditions
        let bindings: [SQLValue] = [.int(collectionID)] + values
        let s = try connection.prepare(sql)
        defer { s.reset() }
        try s.bind(bindings)
        var ids = Set<Int64>()
        while try s.step() { ids.insert(s.int(0)) }
        return ids
    }
}

/// What a search result shows of a chunk.
public struct ChunkSummary: Sendable, Equatable {
    public var id: Int64
    public var source: String
    public var title: String
    public var format: String
    public var headingPath: String
    public var text: String
}

extension Store {
    /// Source, title, heading path and text of each chunk in `ids` that exists.
    public func chunkSummaries(_ ids: [Int64]) throws -> [Int64: ChunkSummary] {
        let s = try connection.prepare(
            """
            SELECT c.id, d.source, d.title, d.format, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?
            """)
        var out: [Int64: ChunkSummary] = [:]
        for id in ids {
            s.reset()
            try s.bind([.int(id)])
            if try s.step() {
                out[id] = ChunkSummary(
                    id: id, source: s.text(1), title: s.text(2), format: s.text(3), headingPath: s.text(4), text: s.text(5))
            }
        }
        s.reset()
        return out
    }
}
