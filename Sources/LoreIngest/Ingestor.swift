import Foundation
import Logging
import LoreCore
import LoreStore

/// How one ingest run behaves.
public struct IngestOptions: Sendable {
    public var collection: String
    public var include: [Glob]
    public var exclude: [Glob]
    /// Remove documents of the collection whose files no longer exist.
    public var prune: Bool
    public var load: LoadOptions
    /// Files loaded and chunked in parallel (default: the number of cores).
    public var workers: Int

    public init(
        collection: String = "default", include: [Glob] = [], exclude: [Glob] = [], prune: Bool = false,
        load: LoadOptions = LoadOptions(), workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.collection = collection
        self.include = include
        self.exclude = exclude
        self.prune = prune
        self.load = load
        self.workers = max(1, workers)
    }
}

/// Walks, loads, validates, chunks and stores files, incrementally: unchanged files (same
/// SHA-256) are skipped with no work, changed files replace their documents atomically,
/// and `prune` removes documents whose files are gone. Loading and chunking run on all
/// cores; writes go through the one store connection, one transaction per file.
public struct Ingestor: Sendable {
    public var registry: LoaderRegistry
    public var chunker: any Chunker
    public var validator: Validator
    /// Embeds new chunks; nil stores chunks without vectors.
    public var embedder: (any Embedder)?
    public var logger: Logger

    public init(
        registry: LoaderRegistry = LoaderRegistry(), chunker: any Chunker, validator: Validator = Validator(),
        embedder: (any Embedder)? = nil, logger: Logger = Logger(label: "lore.ingest")
    ) {
        self.registry = registry
        self.chunker = chunker
        self.validator = validator
        self.embedder = embedder
        self.logger = logger
    }

    /// Ingests `paths` into `store`.
    public func run(
        paths: [String], into store: Store, options: IngestOptions, arguments: [String] = [],
        onEvent: (IngestEvent) -> Void = { _ in }
    ) async throws -> IngestReport {
        let clock = ContinuousClock()
        let started = clock.now
        var report = IngestReport()
        let interrupted = try store.markInterruptedRuns()
        if interrupted > 0 {
            logger.warning("earlier ingest runs were interrupted; this run completes their work", metadata: ["runs": "\(interrupted)"])
        }
        let runID = try store.beginRun(collection: options.collection, arguments: arguments)
        do {
            let collectionID = try store.collectionID(named: options.collection)
            if let embedder {
                let wanted = EmbeddingModelInfo(id: embedder.modelID, dimension: embedder.dimension)
                if let bound = try store.embeddingModel(collectionID: collectionID) {
                    guard bound == wanted else {
                        throw IngestError.modelMismatch(collection: options.collection, stored: bound, requested: wanted)
                    }
                } else {
                    try store.setEmbeddingModel(collectionID: collectionID, wanted)
                }
            }
            let known = try store.fileHashes(collectionID: collectionID)
            let walk = FileWalker(include: options.include, exclude: options.exclude).walk(paths)
            for p in walk.problems { report.errors.append(FileProblem(path: p.path, reason: p.reason)) }
            onEvent(.started(files: walk.files.count))

            // Files are loaded and chunked in parallel but written in walk order, so that
            // runs are deterministic (the first of two duplicates is the one kept).
            try await withThrowingTaskGroup(of: (Int, FileOutcome).self) { group in
                var next = 0
                var written = 0
                var pending: [Int: FileOutcome] = [:]
                let window = options.workers * 4
                func schedule() {
                    while next < walk.files.count, next - written < window {
                        let index = next
                        let file = walk.files[index]
                        let knownHash = known[file.path]
                        next += 1
                        group.addTask { [self, options] in (index, process(file, knownHash: knownHash, options: options)) }
                    }
                }
                // Ready files are written in batches, one transaction each: every file's
                // documents land whole or not at all, and FTS5 merges fewer segments.
                var batch: [FileOutcome] = []
                var writeTime = Duration.zero
                defer { logger.debug("store writes done", metadata: ["seconds": "\(writeTime)"]) }
                schedule()
                while let (index, outcome) = try await group.next() {
                    pending[index] = outcome
                    while let ready = pending.removeValue(forKey: written) {
                        batch.append(ready)
                        written += 1
                    }
                    if batch.count >= Self.batchSize || written == walk.files.count {
                        let t0 = ContinuousClock.now
                        try await write(batch, store: store, collectionID: collectionID, report: &report, onEvent: onEvent)
                        writeTime += ContinuousClock.now - t0
                        batch.removeAll(keepingCapacity: true)
                    }
                    schedule()
                }
            }

            if options.prune {
                let walked = Set(walk.files.map(\.path))
                for path in known.keys.sorted() where !walked.contains(path) && !FileManager.default.fileExists(atPath: path) {
                    try store.removeFile(collectionID: collectionID, path: path)
                    report.removed += 1
                    logger.info("removed documents of a deleted file", metadata: ["path": "\(path)"])
                    onEvent(.file(path: path, outcome: "removed", chunks: 0))
                }
            }
            report.errors.sort { $0.path < $1.path }
            report.skips.sort { $0.path < $1.path }
            report.findings.sort { ($0.path, $0.check) < ($1.path, $1.check) }
            let elapsed = clock.now - started
            report.durationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            try store.finishRun(runID, status: "completed", summary: Self.summaryJSON(report))
            return report
        } catch {
            try? store.finishRun(runID, status: "failed", summary: "\(error)")
            throw error
        }
    }

    private static func summaryJSON(_ r: IngestReport) -> String {
        JSONValue.object([
            ("ingested", .number(Double(r.ingested))), ("updated", .number(Double(r.updated))),
            ("unchanged", .number(Double(r.unchanged))), ("removed", .number(Double(r.removed))),
            ("skipped", .number(Double(r.skipped))), ("errors", .number(Double(r.errors.count))),
            ("chunks", .number(Double(r.chunks)))
        ]).serialized()
    }

    // MARK: Per file

    enum FileOutcome: Sendable {
        case unchanged(path: String)
        case prepared(path: String, facts: FileFacts, documents: [PreparedDocument], findings: [Finding], isUpdate: Bool)
        case skipped(FileProblem)
        case failed(FileProblem)
        case rejected(path: String, findings: [Finding])
    }

    /// Reads, loads, validates and chunks one file. Pure with respect to the store.
    func process(_ file: FoundFile, knownHash: String?, options: IngestOptions) -> FileOutcome {
        let path = file.path
        if file.size > validator.options.maxFileBytes {
            return .rejected(
                path: path,
                findings: [
                    Finding(
                        path: path, check: "too-large", severity: .rejected,
                        message: "\(file.size) bytes is over the limit of \(validator.options.maxFileBytes) bytes")
                ])
        }
        let data: [UInt8]
        switch Self.read(path) {
        case .success(let d): data = d
        case .failure(let f): return .failed(FileProblem(path: path, reason: f.reason))
        }
        let sha = SHA256.hex(of: data)
        if sha == knownHash { return .unchanged(path: path) }

        let loader: any DocumentLoader
        switch registry.loader(fileName: (path as NSString).lastPathComponent, head: data.prefix(1024)) {
        case .success(let l): loader = l
        case .failure(let e): return .skipped(FileProblem(path: path, reason: e.message))
        }
        return prepare(
            path: path, data: data, loader: loader, facts: FileFacts(sha256: sha, mtime: file.mtime, size: file.size),
            isUpdate: knownHash != nil, options: options)
    }

    /// Loads, validates and chunks the bytes of one file with `loader`. The loader reads
    /// `loaderPath` when it needs a file (PDF); the documents' source and path are `path`
    /// (the prefix `loaderPath` of their sources is replaced by it), and `metadata` is
    /// added to each document's own. Pure with respect to the store.
    func prepare(
        path: String, data: [UInt8], loader: any DocumentLoader, loaderPath: String? = nil, facts: FileFacts,
        isUpdate: Bool, options: IngestOptions, metadata: [String: JSONValue] = [:]
    ) -> FileOutcome {
        let loaderPath = loaderPath ?? path
        var findings: [Finding] = []
        var text = ""
        if loader.readsText {
            if LoaderRegistry.looksBinary(data) {
                return .skipped(FileProblem(path: path, reason: "binary content under a .\(loader.format.rawValue) name"))
            }
            let decoded = validator.decode(data, path: path)
            findings += decoded.findings
            guard let t = decoded.text else { return .rejected(path: path, findings: findings) }
            text = t
        }
        var documents: [Document]
        do {
            documents = try loader.load(LoaderInput(path: loaderPath, data: data, text: text, options: options.load))
        } catch {
            return .failed(FileProblem(path: path, reason: error.message))
        }
        for i in documents.indices {
            if loaderPath != path {
                if documents[i].source.hasPrefix(loaderPath) {
                    documents[i].source = path + documents[i].source.dropFirst(loaderPath.count)
                }
                documents[i].path = path
            }
            for (key, value) in metadata { documents[i].metadata[key] = value }
        }
        var prepared: [PreparedDocument] = []
        for doc in documents {
            let docFindings = validator.check(doc)
            findings += docFindings
            if docFindings.contains(where: { $0.severity == .rejected }) { continue }
            let chunks = chunker.chunk(doc)
            guard !chunks.isEmpty else {
                findings.append(Finding(path: doc.source, check: "empty", severity: .rejected, message: "no indexable text"))
                continue
            }
            prepared.append(PreparedDocument(document: doc, chunks: chunks))
        }
        if prepared.isEmpty {
            if findings.isEmpty {
                findings.append(Finding(path: path, check: "empty", severity: .rejected, message: "no documents in the file"))
            }
            return .rejected(path: path, findings: findings)
        }
        return .prepared(path: path, facts: facts, documents: prepared, findings: findings, isUpdate: isUpdate)
    }

    /// Files written per transaction.
    static let batchSize = 32

    /// Embeds the batch's chunks (cached ones are not embedded again), then writes the batch
    /// in one transaction, vectors with their chunks, then reports the files.
    private func write(
        _ batch: [FileOutcome], store: Store, collectionID: Int64, report: inout IngestReport,
        onEvent: (IngestEvent) -> Void
    ) async throws {
        var batch = batch
        var newCache: [(textHash: String, vector: [Float])] = []
        if let embedder {
            newCache = try await embed(&batch, with: embedder, store: store, report: &report)
        }
        let results: [FileWriteResult?] = try store.connection.transaction {
            if let embedder { try store.cacheEmbeddings(model: embedder.modelID, newCache) }
            return try batch.map { outcome in
                guard case .prepared(let path, let facts, let documents, _, _) = outcome else { return nil }
                return try store.replaceFile(collectionID: collectionID, path: path, file: facts, documents: documents)
            }
        }
        for (outcome, result) in zip(batch, results) {
            record(outcome, result: result, report: &report, onEvent: onEvent)
        }
    }

    /// Gives every prepared document its vectors: from the cache where the store has the
    /// chunk's text for this model, from the embedder otherwise (each distinct text once).
    /// Returns the new cache entries.
    func embed(
        _ batch: inout [FileOutcome], with embedder: any Embedder, store: Store,
        report: inout IngestReport
    ) async throws -> [(textHash: String, vector: [Float])] {
        var hashes: [String] = []
        for case .prepared(_, _, let documents, _, _) in batch {
            for d in documents { for c in d.chunks { hashes.append(SHA256.hex(of: Array(c.text.utf8))) } }
        }
        guard !hashes.isEmpty else { return [] }
        var known = try store.cachedEmbeddings(model: embedder.modelID, textHashes: hashes)
        var missing: [(hash: String, text: String)] = []
        var seen = Set(known.keys)
        var k = 0
        for case .prepared(_, _, let documents, _, _) in batch {
            for d in documents {
                for c in d.chunks {
                    if seen.insert(hashes[k]).inserted { missing.append((hashes[k], c.text)) }
                    k += 1
                }
            }
        }
        report.embeddingsCached += hashes.count - missing.count
        var fresh: [(textHash: String, vector: [Float])] = []
        if !missing.isEmpty {
            let vectors = try await embedder.embed(missing.map(\.text))
            guard vectors.count == missing.count, vectors.allSatisfy({ $0.count == embedder.dimension }) else {
                throw IngestError.badEmbeddings(
                    model: embedder.modelID, expected: embedder.dimension,
                    got: vectors.first?.count ?? 0, count: vectors.count, wanted: missing.count)
            }
            for (m, v) in zip(missing, vectors) {
                known[m.hash] = v
                fresh.append((m.hash, v))
            }
            report.embedded += missing.count
        }
        k = 0
        for i in batch.indices {
            guard case .prepared(let path, let facts, var documents, let findings, let isUpdate) = batch[i] else { continue }
            for j in documents.indices {
                documents[j].vectors = documents[j].chunks.map { _ in
                    defer { k += 1 }; return known[hashes[k]]!
                }
                documents[j].model = embedder.modelID
            }
            batch[i] = .prepared(path: path, facts: facts, documents: documents, findings: findings, isUpdate: isUpdate)
        }
        return fresh
    }

    /// Adds a file's outcome to the report.
    private func record(
        _ outcome: FileOutcome, result: FileWriteResult?, report: inout IngestReport,
        onEvent: (IngestEvent) -> Void
    ) {
        switch outcome {
        case .unchanged(let path):
            report.unchanged += 1
            onEvent(.file(path: path, outcome: "unchanged", chunks: 0))
        case .skipped(let problem):
            report.skipped += 1
            report.skips.append(problem)
            logger.info("skipped", metadata: ["path": "\(problem.path)", "reason": "\(problem.reason)"])
            onEvent(.file(path: problem.path, outcome: "skipped", chunks: 0))
        case .failed(let problem):
            report.skipped += 1
            report.errors.append(problem)
            logger.warning("failed", metadata: ["path": "\(problem.path)", "reason": "\(problem.reason)"])
            onEvent(.file(path: problem.path, outcome: "failed", chunks: 0))
        case .rejected(let path, let findings):
            report.skipped += 1
            report.findings += findings
            logger.info("rejected by validation", metadata: ["path": "\(path)", "checks": "\(findings.map(\.check))"])
            onEvent(.file(path: path, outcome: "rejected", chunks: 0))
        case .prepared(let path, _, _, let findings, let isUpdate):
            report.findings += findings
            guard let result else { return }
            for d in result.duplicates {
                report.findings.append(
                    Finding(path: d.source, check: "duplicate", severity: .rejected, message: "exact duplicate of \(d.of)"))
            }
            if result.documents == 0 {
                report.skipped += 1
                onEvent(.file(path: path, outcome: "rejected", chunks: 0))
                return
            }
            if isUpdate { report.updated += 1 } else { report.ingested += 1 }
            report.documents += result.documents
            report.chunks += result.chunks
            logger.debug("stored", metadata: ["path": "\(path)", "documents": "\(result.documents)", "chunks": "\(result.chunks)"])
            onEvent(.file(path: path, outcome: isUpdate ? "updated" : "ingested", chunks: result.chunks))
        }
    }

    /// Reads a whole file, or says why it could not.
    static func read(_ path: String) -> Result<[UInt8], ReadFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadFailure(reason: "cannot read: \(FileWalker.describe(errno, path: path))")) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(ReadFailure(reason: "cannot read: \(FileWalker.describe(errno, path: path))")) }
        var data = [UInt8](repeating: 0, count: Int(st.st_size))
        var offset = 0
        while true {
            if offset == data.count { data.append(contentsOf: [UInt8](repeating: 0, count: max(4096, data.count))) }
            let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(ReadFailure(reason: "cannot read: \(FileWalker.describe(errno, path: path))"))
            }
            if n == 0 { break }
            offset += n
        }
        data.removeSubrange(offset...)
        return .success(data)
    }
}

/// Why a file could not be read.
struct ReadFailure: Error {
    var reason: String
}

/// Why an ingest run stopped.
public enum IngestError: Error, CustomStringConvertible {
    case modelMismatch(collection: String, stored: EmbeddingModelInfo, requested: EmbeddingModelInfo)
    case badEmbeddings(model: String, expected: Int, got: Int, count: Int, wanted: Int)

    public var description: String {
        switch self {
        case .modelMismatch(let c, let stored, let requested):
            return
                "collection \(c) holds vectors from \(stored); this run embeds with \(requested). Ingest with the collection's embedder, or switch the collection with: lore reindex --collection \(c) --embedder <name>"
        case .badEmbeddings(let model, let expected, let got, let count, let wanted):
            return
                "the embedder \(model) returned \(count) vectors of \(got) dimensions for \(wanted) texts; expected \(expected) dimensions"
        }
    }
}
