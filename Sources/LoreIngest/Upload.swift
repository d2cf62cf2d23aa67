import LoreCore

/// A file sent over the HTTP API rather than read from disk. Its name is never used as a
/// filesystem path: the stored source is `upload:<name>` (`upload:<name>#N` for the N-th
/// record of a JSON, JSON Lines or CSV upload).
public struct Upload: Sendable {
    /// The name the client gave (validated by the caller: relative, no `..`, no control characters).
    public var name: String
    public var data: [UInt8]
    /// The format to load it as; nil chooses by the name's extension (and content), as `lore ingest` does.
    public var format: DocumentFormat?
    /// Added to each document's own metadata (these keys win).
    public var metadata: [String: JSONValue]

    public init(name: String, data: [UInt8], format: DocumentFormat? = nil, metadata: [String: JSONValue] = [:]) {
        self.name = name
        self.data = data
        self.format = format
        self.metadata = metadata
    }

    /// The URI stored as the documents' path (and source): `upload:<name>`.
    public var source: String { Self.scheme + name }
    public static let scheme = "upload:"
}

/// What became of one upload.
public struct UploadResult: Sendable {
    public enum Status: String, Sendable { case added, updated, unchanged }
    public var name: String
    public var source: String
    public var status: Status
    /// Chunks written (0 when unchanged).
    public var chunks: Int
    /// Validation warnings (e.g. repaired UTF-8); rejections fail the request instead.
    public var warnings: [Finding]
}

/// Why a batch of uploads was refused; nothing of the batch was stored.
public struct UploadRejection: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No loader for this name or format.
        case unsupported
        /// Empty, binary, malformed, too large, or rejected by validation.
        case invalid
        /// The text duplicates a document already in the collection.
        case duplicate
    }
    public var kind: Kind
    /// The index of the upload in the request.
    public var index: Int
    public var name: String
    public var message: String
    public var description: String { "\(name): \(message)" }
}
