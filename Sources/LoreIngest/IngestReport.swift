import LoreCore

/// A file that could not be ingested, or was skipped, and why.
public struct FileProblem: Sendable, Equatable, Codable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// The outcome of one `lore ingest` run. Counts are of files.
public struct IngestReport: Sendable, Codable {
    /// New files stored.
    public var ingested = 0
    /// Changed files whose documents were replaced.
    public var updated = 0
    /// Files whose content hash matched what is stored: no work done.
    public var unchanged = 0
    /// Files gone from disk whose documents `--prune` removed.
    public var removed = 0
    /// Files not stored: unsupported, binary, rejected by validation, or failed.
    public var skipped = 0
    /// Documents and chunks written in this run.
    public var documents = 0
    public var chunks = 0
    /// Chunk texts embedded in this run, and chunk texts whose vectors came from the cache.
    public var embedded = 0
    public var embeddingsCached = 0
    /// Files (or paths) that failed: unreadable, malformed, missing, a symbolic link loop.
    public var errors: [FileProblem] = []
    /// Files skipped for a reason that is not an error (an unsupported format, binary content).
    public var skips: [FileProblem] = []
    /// Validation findings, per document.
    public var findings: [Finding] = []
    public var durationSeconds = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case ingested, updated, unchanged, removed, skipped, documents, chunks, errors, skips, findings, embedded
        case embeddingsCached = "embeddings_cached"
        case durationSeconds = "duration_s"
    }
}

/// Progress events, delivered in order on the ingesting task.
public enum IngestEvent: Sendable {
    /// The walk is done: this many files will be examined.
    case started(files: Int)
    /// A file is done.
    case file(path: String, outcome: String, chunks: Int)
}
