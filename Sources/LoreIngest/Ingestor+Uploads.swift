import Foundation
import LoreCore
import LoreStore

extension Ingestor {
    /// Ingests uploads into a collection all or nothing, like `lore ingest` ingests files:
    /// the same loaders (by `format`, else by the name's extension and content), validation,
    /// chunking and embedding, and the same incremental rule (an upload whose bytes and
    /// metadata are unchanged does no work; a changed one replaces its documents). Every
    /// upload is loaded and validated before anything is written, and all are written in
    /// one transaction: any rejection throws `UploadRejection` and leaves the store as it was.
    ///
    /// - Parameter scratch: a private directory for loaders that read a file (PDF); the
    ///   file written there is named by this function, never by the upload.
    public func ingest(
        _ uploads: [Upload], into store: Store, collection: String, options: IngestOptions,
        scratch: String
    ) async throws -> [UploadResult] {
        let collectionID = try store.collectionID(named: collection)
        if let embedder {
            let wanted = EmbeddingModelInfo(id: embedder.modelID, dimension: embedder.dimension)
            if let bound = try store.embeddingModel(collectionID: collectionID), bound != wanted {
                throw IngestError.modelMismatch(collection: collection, stored: bound, requested: wanted)
            }
        }
        let known = try store.fileHashes(collectionID: collectionID)
        var outcomes: [FileOutcome] = []
        var seen: Set<String> = []
        for (i, upload) in uploads.enumerated() {
            guard seen.insert(upload.name).inserted else {
                throw UploadRejection(kind: .invalid, index: i, name: upload.name, message: "the request holds two uploads with this name")
            }
            outcomes.append(try prepare(upload, index: i, knownHash: known[upload.source], options: options, scratch: scratch))
        }

        var batch = outcomes
        var cache: [(textHash: String, vector: [Float])] = []
        if let embedder {
            var report = IngestReport()
            cache = try await embed(&batch, with: embedder, store: store, report: &report)
        }
        let written: [FileWriteResult?] = try store.connection.transaction {
            if let embedder { try store.cacheEmbeddings(model: embedder.modelID, cache) }
            if let embedder, try store.embeddingModel(collectionID: collectionID) == nil {
                try store.setEmbeddingModel(
                    collectionID: collectionID, EmbeddingModelInfo(id: embedder.modelID, dimension: embedder.dimension))
            }
            return try batch.enumerated().map { i, outcome in
                guard case .prepared(let path, let facts, let documents, _, _) = outcome else { return nil }
                let result = try store.replaceFile(collectionID: collectionID, path: path, file: facts, documents: documents)
                if let d = result.duplicates.first {
                    throw UploadRejection(
                        kind: .duplicate, index: i, name: uploads[i].name,
                        message: "the text of \(d.source) duplicates the stored document \(d.of)")
                }
                return result
            }
        }
        return zip(uploads, zip(batch, written)).map { upload, pair in
            switch pair.0 {
            case .prepared(_, _, _, let findings, let isUpdate):
                return UploadResult(
                    name: upload.name, source: upload.source, status: isUpdate ? .updated : .added,
                    chunks: pair.1?.chunks ?? 0, warnings: findings.filter { $0.severity == .warning })
            default:
                return UploadResult(name: upload.name, source: upload.source, status: .unchanged, chunks: 0, warnings: [])
            }
        }
    }

    /// Loads, validates and chunks one upload, or throws why it cannot be stored.
    private func prepare(_ upload: Upload, index: Int, knownHash: String?, options: IngestOptions, scratch: String) throws -> FileOutcome {
        func reject(_ kind: UploadRejection.Kind, _ message: String) -> UploadRejection {
            UploadRejection(kind: kind, index: index, name: upload.name, message: message)
        }
        let data = upload.data
        guard data.count <= validator.options.maxFileBytes else {
            throw reject(
                .invalid, "\(data.count) bytes is over the limit of \(validator.options.maxFileBytes) bytes (ingest.max_file_bytes)")
        }
        guard !data.isEmpty else { throw reject(.invalid, "the content is empty") }
        // The metadata is part of what makes an upload unchanged.
        var hashed = data
        if !upload.metadata.isEmpty {
            hashed += [0] + Array(JSONValue.object(upload.metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized().utf8)
        }
        let sha = SHA256.hex(of: hashed)
        if sha == knownHash { return .unchanged(path: upload.source) }

        let loader: any DocumentLoader
        if let format = upload.format {
            guard let l = registry.loaders[format] else { throw reject(.unsupported, "no loader for format \(format.rawValue)") }
            loader = l
        } else {
            switch registry.loader(
                fileName: upload.name.split(separator: "/").last.map(String.init) ?? upload.name, head: data.prefix(1024))
            {
            case .success(let l): loader = l
            case .failure(let e): throw reject(.unsupported, e.message)
            }
        }
        var loaderPath: String? = nil
        var directory: String? = nil
        defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }
        if !loader.readsText {
            // The loader runs a tool on a file: a fresh private directory, a name of ours.
            var template = Array("\(scratch)/upload-XXXXXX".utf8CString)
            guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
                throw StoreError("cannot create a temporary directory under \(scratch)")
            }
            directory = dir
            let file = dir + "/document." + loader.format.rawValue
            guard FileManager.default.createFile(atPath: file, contents: Data(data), attributes: [.posixPermissions: 0o600]) else {
                throw StoreError("cannot write a temporary file under \(dir)")
            }
            loaderPath = file
        }
        let outcome = prepare(
            path: upload.source, data: data, loader: loader, loaderPath: loaderPath,
            facts: FileFacts(sha256: sha, mtime: Date().timeIntervalSince1970, size: data.count),
            isUpdate: knownHash != nil, options: options, metadata: upload.metadata)
        switch outcome {
        case .prepared: return outcome
        case .unchanged: return outcome
        case .skipped(let problem), .failed(let problem): throw reject(.invalid, problem.reason)
        case .rejected(_, let findings):
            let rejected = findings.filter { $0.severity == .rejected }
            throw reject(.invalid, (rejected.isEmpty ? findings : rejected).map { "\($0.check): \($0.message)" }.joined(separator: "; "))
        }
    }
}
