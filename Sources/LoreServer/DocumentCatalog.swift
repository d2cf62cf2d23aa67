import LoreCore
import LoreStore

/// One document sent to `POST /v1/documents`, as the request gave it.
public struct DocumentUpload: Sendable {
    /// The client's name for it (validated by `DocumentName`): the stored source is `upload:<name>`.
    public var name: String
    public var data: [UInt8]
    /// The format to load it as (`md`, `txt`, `csv`...); nil: by the name's extension.
    public var format: DocumentFormat?
    /// Added to each stored document's metadata.
    public var metadata: [String: JSONValue]
    /// Where the request gave it (`documents[2]`, `file[0]`), for error messages.
    public var field: String

    public init(name: String, data: [UInt8], format: DocumentFormat?, metadata: [String: JSONValue], field: String) {
        self.name = name
        self.data = data
        self.format = format
        self.metadata = metadata
        self.field = field
    }
}

/// What became of one upload: `added`, `updated` (its earlier documents replaced) or
/// `unchanged` (same bytes and metadata as stored: no work), and the documents it now has.
public struct IngestedUpload: Sendable {
    public var name: String
    public var source: String
    public var status: String
    /// Chunks written by this request (0 when unchanged).
    public var chunks: Int
    public var documents: [DocumentRecord]
    /// Validation warnings (repaired UTF-8...).
    public var warnings: [String]

    public init(name: String, source: String, status: String, chunks: Int, documents: [DocumentRecord], warnings: [String]) {
        self.name = name
        self.source = source
        self.status = status
        self.chunks = chunks
        self.documents = documents
        self.warnings = warnings
    }
}

/// The documents of the store's collections, for the document routes: reads from
/// connections of their own, writes through one serialised writer. Implemented in the
/// composition root, where ingestion, the embedder and the index meet. Every method takes
/// a collection already resolved (scope and access checked) and only ever sees documents
/// of that collection. Errors are `APIError`s.
public protocol DocumentCatalog: Sendable {
    /// Ingests `uploads` into the collection, all or nothing, and brings its served vector
    /// index up to date before returning.
    func ingest(_ uploads: [DocumentUpload], into collection: ServedCollection) async throws -> [IngestedUpload]
    /// A page of the collection's documents that satisfy `filter`, in id order after `after`.
    func list(collection: String, filter: ChunkFilter, after: Int64, limit: Int) async throws -> [DocumentRecord]
    /// The document and its chunks, or nil when the collection has no document `id`.
    func document(id: Int64, collection: String) async throws -> (DocumentRecord, [Store.ChunkRow])?
    /// Deletes the document (chunks, FTS rows, vectors) and removes it from the served
    /// index; nil when the collection has no document `id`.
    func delete(id: Int64, from collection: ServedCollection) async throws -> DocumentRemoval?
}
