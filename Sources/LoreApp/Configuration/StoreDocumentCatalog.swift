import Foundation
import Logging
import LoreCore
import LoreEmbed
import LoreGuardrails
import LoreIndex
import LoreIngest
import LoreQuery
import LoreServer
import LoreStore

/// The document routes' catalog over the server's SQLite store.
///
/// Writes (uploads, deletions) go through this actor, one at a time (each waits for the
/// previous one to finish, across its suspension points: an actor alone would let a second
/// write start while the first awaits its embeddings), on a connection of its own: SQLite
/// has one writer at a time anyway, and a `Store` connection is not safe to share between
/// threads. Reads (listing, one document) open a read-only connection per
/// request outside the actor; in WAL mode they see the last committed write and never
/// block it. After each write, the collection's served vector index is brought up to date
/// in place from the store's vector change log (searches go on meanwhile); a collection
/// served without vectors (lexical only) that gets its first ones is reopened instead.
public actor StoreDocumentCatalog: DocumentCatalog {
    private let config: LoreConfiguration
    private let database: String
    private let collections: ServedCollections
    /// The writer's connection, used only inside this actor.
    private nonisolated(unsafe) let store: Store
    private let chunker: RecursiveChunker
    private let validator: Validator
    /// The embedder of uploads into collections served without one (made on first need).
    private var fallbackEmbedder: (any Embedder)??
    /// A private directory for loaders that read a file (PDF); removed on exit.
    private let scratch: String
    /// Per collection: the served index this catalog keeps current and the log position it is current with.
    private var followed: [String: (index: LoadedIndex, seq: Int64)] = [:]
    private let logger = Logger(label: "lore.documents")
    /// The last write started: the next one waits for it.
    private var lastWrite: Task<Void, Never>?

    /// True on a replica of published versions: reads follow the current version, writes
    /// answer 409 `read_only_replica`.
    private let readOnly: Bool

    public init(config: LoreConfiguration, collections: ServedCollections, readOnly: Bool = false) throws {
        self.config = config
        database = config.database
        self.collections = collections
        self.readOnly = readOnly
        store = try Store(path: config.database, readOnly: readOnly, logger: Logger(label: "lore.store"))
        let tokenizer = try WordPieceTokenizer(modelDirectory: config.modelDirectory())
        do {
            chunker = try RecursiveChunker(
                counter: tokenizer, options: ChunkingOptions(size: config.ingest.chunkSize, overlap: config.ingest.chunkOverlap))
        } catch { throw CommandFailure(description: "\(error)") }
        validator = Validator(
            options: ValidationOptions(
                maxFileBytes: config.ingest.maxFileBytes, minCharacters: config.ingest.minCharacters,
                rejectInvalidUTF8: config.ingest.invalidUTF8 == "reject"))
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/lore-uploads-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            throw CommandFailure(description: "cannot create a temporary directory under \(base)")
        }
        scratch = dir
    }

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    // MARK: Writes

    /// Runs `work` after every write started before it has finished.
    private func serialized<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard !readOnly else {
            throw APIError(
                .conflict, code: "read_only_replica",
                "this server is a read-only replica of published index versions: add and delete documents with lore ingest --publish (or a writable lore serve) and the replicas switch to the new version"
            )
        }
        let previous = lastWrite
        let task = Task {
            await previous?.value
            return try await work()
        }
        lastWrite = Task { _ = try? await task.value }
        return try await task.value
    }

    public func ingest(_ uploads: [DocumentUpload], into collection: ServedCollection) async throws -> [IngestedUpload] {
        try await serialized { try await self.ingestNow(uploads, into: collection) }
    }

    public func delete(id: Int64, from collection: ServedCollection) async throws -> DocumentRemoval? {
        try await serialized { try await self.deleteNow(id: id, from: collection) }
    }

    private func ingestNow(_ uploads: [DocumentUpload], into collection: ServedCollection) async throws -> [IngestedUpload] {
        let embedder = try await embedder(for: collection)
        let ingestor = Ingestor(
            registry: config.ingest.registry, chunker: chunker, validator: validator, embedder: embedder, logger: logger)
        let results: [UploadResult]
        do {
            results = try await ingestor.ingest(
                uploads.map { Upload(name: $0.name, data: $0.data, format: $0.format, metadata: $0.metadata) },
                into: store, collection: collection.name, options: IngestOptions(collection: collection.name), scratch: scratch)
        } catch let r as UploadRejection {
            let field = uploads[r.index].field
            switch r.kind {
            case .unsupported:
                throw APIError(
                    .unsupportedMediaType, code: "unsupported_format",
                    "\(field): \(r.name): \(r.message); supported extensions are \(LoaderRegistry.supportedExtensions.joined(separator: ", ")) (or give format: \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            case .invalid: throw APIError(.unprocessableContent, code: "invalid_document", "\(field): \(r.name): \(r.message)")
            case .duplicate: throw APIError(.conflict, code: "duplicate_document", "\(field): \(r.name): \(r.message)")
            }
        } catch let e as IngestError {
            throw APIError(.conflict, code: "embedder_mismatch", "collection: \(e.description)")
        }
        await storeSentenceVectors(embedder: embedder, collection: collection.name)
        await scanForInjection(embedder: config.scanEmbedder(embedder))
        try await refreshIndex(of: collection)
        let id = try store.existingCollectionID(named: collection.name) ?? -1
        return try results.map { r in
            IngestedUpload(
                name: r.name, source: r.source, status: r.status.rawValue, chunks: r.chunks,
                documents: try store.documentRecords(collectionID: id, path: r.source),
                warnings: r.warnings.map { "\($0.check): \($0.message)" })
        }
    }

    private func deleteNow(id: Int64, from collection: ServedCollection) async throws -> DocumentRemoval? {
        guard let collectionID = try store.existingCollectionID(named: collection.name),
            let removal = try store.deleteDocument(id: id, collectionID: collectionID)
        else { return nil }
        try await refreshIndex(of: collection)
        return removal
    }

    /// The collection's embedder: the one it is served with, else the configured one.
    private func embedder(for collection: ServedCollection) async throws -> (any Embedder)? {
        if let e = collection.service.retriever.embedder { return e }
        if let made = fallbackEmbedder { return made }
        let made = try await EmbedderFactory.make(config)
        fallbackEmbedder = .some(made)
        return made
    }

    /// The ingest-time injection scan, as `lore ingest` runs it: new chunks are scanned and
    /// the flagged ones marked (a failure is logged; `lore guard scan` runs it again).
    private func scanForInjection(embedder: (any Embedder)?) async {
        let policy = config.guardrails
        guard policy.enabled, policy.context.scanAtIngest, policy.context.injection.isOn else { return }
        do {
            _ = try await IngestScanner(
                detector: try policy.injectionDetector(embedder: embedder),
                threshold: policy.context.injection.threshold, windows: policy.context.scanWindows
            ).scan(store)
        } catch {
            logger.warning("the documents are stored, but the guardrail scan failed", metadata: ["error": "\(error)"])
        }
    }

    /// The extractive answerer's sentence vectors, as `lore ingest` stores them (a failure is
    /// logged; the sentences are embedded per question until the next ingest does them).
    private func storeSentenceVectors(embedder: (any Embedder)?, collection: String) async {
        guard config.storesSentenceVectors, let embedder else { return }
        do {
            guard let id = try store.existingCollectionID(named: collection) else { return }
            _ = try await SentenceVectorPass(embedder: embedder).run(store, collectionID: id, logger: logger)
        } catch {
            logger.warning("the documents are stored, but their sentence vectors are not", metadata: ["error": "\(error)"])
        }
    }

    /// Applies the vector changes since the served index was last current to it, in place;
    /// reopens the collection when it is served without an index but now has vectors.
    private func refreshIndex(of collection: ServedCollection) async throws {
        guard let loaded = collection.service.retriever.index else {
            if let id = try store.existingCollectionID(named: collection.name), try store.embeddingModel(collectionID: id) != nil {
                await collections.reload(collection.name)
            }
            return
        }
        let from = followed[collection.name].flatMap { $0.index === loaded ? $0.seq : nil } ?? loaded.seq
        let manager = IndexManager(store: store, settings: try config.index.settings(), logger: Logger(label: "lore.index"))
        let head = try manager.follow(loaded.index, collectionID: loaded.collectionID, after: from)
        followed[collection.name] = (loaded, head)
    }

    // MARK: Reads

    public nonisolated func list(collection: String, filter: ChunkFilter, after: Int64, limit: Int) async throws -> [DocumentRecord] {
        let reader = try Store(path: database, readOnly: true)
        guard let id = try reader.existingCollectionID(named: collection) else { return [] }
        return try reader.documentPage(collectionID: id, filter: filter, after: after, limit: limit)
    }

    public nonisolated func document(id: Int64, collection: String) async throws -> (DocumentRecord, [Store.ChunkRow])? {
        let reader = try Store(path: database, readOnly: true)
        guard let collectionID = try reader.existingCollectionID(named: collection),
            let doc = try reader.documentRecord(id: id, collectionID: collectionID)
        else { return nil }
        return (doc, try reader.chunks(documentID: id))
    }
}
