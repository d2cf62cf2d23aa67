import Foundation
import Logging
import LoreCore
import LoreEmbed
import LoreEmbedHTTP
import LoreGuardrails
import LoreIndex
import LoreIngest
import LoreQuery
import LoreStore

/// The options of `lore ingest PATH...` (the chunking and embedder options are applied to
/// the configuration).
public struct IngestRequest: Sendable {
    /// Files and directories to ingest.
    public var paths: [String]
    /// The collection (default: the configuration's).
    public var collection: String?
    /// Globs added to the configuration's include and exclude lists.
    public var include: [String], exclude: [String]
    /// Remove documents whose files are gone; fail on any validation finding.
    public var prune: Bool, strict: Bool
    /// Print JSON; print a line per file as it is done; draw a progress bar on standard error.
    public var json: Bool, verbose: Bool, progress: Bool
    /// The JSON field or CSV column holding each record's text.
    public var textField: String?
    /// Publish the store to this directory afterwards, keeping `keep` versions.
    public var publish: String?, keep: Int

    /// A request with these options.
    public init(
        paths: [String], collection: String?, include: [String], exclude: [String], prune: Bool, strict: Bool, json: Bool,
        verbose: Bool, progress: Bool, textField: String?, publish: String?, keep: Int
    ) {
        self.paths = paths
        self.collection = collection
        self.include = include
        self.exclude = exclude
        self.prune = prune
        self.strict = strict
        self.json = json
        self.verbose = verbose
        self.progress = progress
        self.textField = textField
        self.publish = publish
        self.keep = keep
    }
}

/// `lore ingest`: loads, validates, chunks, embeds and stores files, then keeps the vector
/// index current, runs the ingest-time injection scan and, when asked, publishes a version.
public enum IngestCommand {
    /// Runs the ingest (the process's command line is recorded with the run); with `verbose`
    /// each file's line goes to `live` as it is done. Status 1 when a file failed (or, with
    /// `strict`, on any finding), the index was not updated, or publishing failed.
    public static func run(_ request: IngestRequest, config: LoreConfiguration, live: @escaping LiveOutput) async throws -> CommandOutput {
        let tokenizer = try WordPieceTokenizer(modelDirectory: config.modelDirectory())
        let chunker: RecursiveChunker
        do {
            chunker = try RecursiveChunker(
                counter: tokenizer, options: ChunkingOptions(size: config.ingest.chunkSize, overlap: config.ingest.chunkOverlap))
        } catch { throw UsageError(error.description) }
        let validator = Validator(
            options: ValidationOptions(
                maxFileBytes: config.ingest.maxFileBytes,
                minCharacters: config.ingest.minCharacters,
                rejectInvalidUTF8: config.ingest.invalidUTF8 == "reject"))
        let embedder = try await EmbedderFactory.make(config)
        let ingestor = Ingestor(
            registry: config.ingest.registry, chunker: chunker, validator: validator, embedder: embedder,
            logger: Logger(label: "lore.ingest"))
        let options = IngestOptions(
            collection: request.collection ?? config.collection,
            include: (config.ingest.include + request.include).map(Glob.init),
            exclude: (config.ingest.exclude + request.exclude).map(Glob.init),
            prune: request.prune, load: LoadOptions(textField: request.textField))

        let store: Store
        do { store = try Store(path: config.database, logger: Logger(label: "lore.store")) } catch {
            throw CommandFailure(description: "cannot open the database \(config.database): \(error)")
        }
        let progress = ProgressBar(enabled: request.progress)
        let verbose = request.verbose
        let report: IngestReport
        do {
            report = try await ingestor.run(paths: request.paths, into: store, options: options, arguments: CommandLine.arguments) {
                event in
                switch event {
                case .started(let files): progress.start(total: files)
                case .file(let path, let outcome, let chunks):
                    progress.advance(chunks: chunks)
                    if verbose { live("\(outcome) \(path)\(chunks > 0 ? " (\(chunks) chunks)" : "")\n") }
                }
            }
        } catch let error as IngestError {
            progress.finish()
            throw CommandFailure(description: error.description)
        } catch let error as EmbeddingServiceError {
            progress.finish()
            throw CommandFailure(
                description: "\(error.description); the files written before this point are complete, the rest were not stored")
        }
        progress.finish()
        var out = CommandOutput()

        // Keep the collection's vector index current: replay what this run changed into the
        // stored snapshot (or build it), in its own transaction.
        var indexReport: IndexSyncReport? = nil
        var indexError: String? = nil
        do {
            if let id = try store.existingCollectionID(named: options.collection) {
                indexReport = try IndexManager(store: store, settings: try config.index.settings(), logger: Logger(label: "lore.index"))
                    .sync(collectionID: id)
            }
        } catch {
            indexError =
                "the documents are stored, but the vector index was not updated: \(error) (it is rebuilt from the stored vectors on the next load; lore index rebuild does it now)"
        }

        // The extractive answerer's sentences, embedded once here rather than per question
        // (before the scan, which reads those of its windows that are one such sentence).
        var sentenceReport: SentenceVectorPass.Report? = nil
        var sentenceError: String? = nil
        if config.storesSentenceVectors, let embedder, let id = try? store.existingCollectionID(named: options.collection) {
            do {
                sentenceReport = try await SentenceVectorPass(embedder: embedder).run(store, collectionID: id)
            } catch {
                let message =
                    "the documents are stored, but their sentence vectors are not: \(error) (the next lore ingest does them; until then questions embed them)"
                sentenceError = message
                out.printError("warning: \(message)\n")
            }
        }

        // The ingest-time injection scan: new and changed chunks are scanned and the flagged
        // ones marked in the store (`lore guard flagged` lists them).
        var scanReport: IngestScanner.Report? = nil
        var scanError: String? = nil
        let guardPolicy = config.guardrails
        let scanEmbedder = config.scanEmbedder(embedder)
        if guardPolicy.enabled, guardPolicy.context.scanAtIngest, guardPolicy.context.injection.isOn {
            do {
                scanReport = try await IngestScanner(
                    detector: try guardPolicy.injectionDetector(embedder: scanEmbedder),
                    threshold: guardPolicy.context.injection.threshold,
                    windows: guardPolicy.context.scanWindows
                ).scan(store)
            } catch {
                let message = "the documents are stored, but the guardrail scan failed: \(error) (lore guard scan runs it again)"
                scanError = message
                out.printError("warning: \(message)\n")
            }
        }

        let failed =
            !report.errors.isEmpty || indexError != nil || (request.strict && (!report.findings.isEmpty || !report.skips.isEmpty))
        // A run that failed is not published: replicas keep serving the last good version.
        var published: PublishOutcome? = nil
        var publishError: String? = nil
        if let publish = request.publish {
            if failed {
                publishError = "not published to \(publish): the ingest had errors (fix them and run again, or lore versions publish)"
            } else {
                do { published = try PublishedVersions(root: publish).publish(store, keep: request.keep) } catch {
                    publishError = "the documents are stored in \(config.database), but publishing to \(publish) failed: \(error)"
                }
            }
        }

        if request.json {
            var object = try JSONSerialization.jsonObject(with: Data(try IngestReportText.json(report).utf8)) as! [String: Any]
            object["index"] = indexReport.map(IndexMaintenance.syncDescription) ?? NSNull()
            let reuse = (scanEmbedder as? SentenceReusingEmbedder)?.reuse
            object["guardrail_scan"] =
                scanReport.map {
                    [
                        "scanned": $0.scanned, "flagged": $0.flagged, "duration_s": $0.seconds,
                        "texts_embedded": reuse?.embedded ?? NSNull(), "texts_read_from_sentence_vectors": reuse?.read ?? NSNull()
                    ] as [String: Any]
                } ?? NSNull()
            object["sentence_vectors"] =
                sentenceReport.map {
                    ["chunks": $0.chunks, "sentences": $0.sentences, "embedded": $0.embedded, "duration_s": $0.seconds] as [String: Any]
                } ?? NSNull()
            if let sentenceError { object["sentence_vectors_error"] = sentenceError }
            if let indexError { object["index_error"] = indexError }
            if let scanError { object["guardrail_scan_error"] = scanError }
            if request.publish != nil {
                object["published"] =
                    published.map {
                        [
                            "version": $0.version.name, "sha256": $0.version.manifest.sha256, "bytes": $0.version.manifest.bytes,
                            "removed": $0.removed
                        ] as [String: Any]
                    } ?? NSNull()
            }
            out.print(try CommandText.json(object))
        } else {
            out.print(IngestReportText.table(report))
            if let r = indexReport {
                var line = "index: \(r.kind.rawValue), \(r.count) vectors"
                if r.tombstones > 0 { line += ", \(r.tombstones) tombstones" }
                if let reason = r.reason { line += " (rebuilt: \(reason))" }
                out.print(line + (r.saved ? String(format: ", saved in %.2f s", r.seconds) : ", unchanged"))
            }
            if let r = scanReport, r.scanned > 0 {
                let flagged = r.flagged > 0 ? ", \(r.flagged) flagged (lore guard flagged lists them)" : ", none flagged"
                out.print(
                    "guardrails: \(r.scanned) new chunks scanned for instructions aimed at the model in \(String(format: "%.1f", r.seconds)) s"
                        + flagged)
            }
            if let r = sentenceReport, r.chunks > 0 {
                out.print(
                    "sentences: \(r.embedded) of \(r.sentences) candidate sentences of \(r.chunks) chunks embedded for the extractive answerer in \(String(format: "%.1f", r.seconds)) s"
                )
            }
            if let published, let publish = request.publish { out.print(VersionsCommand.outcomeLine(published, root: publish)) }
        }
        if let indexError { out.printError("error: \(indexError)\n") }
        if let publishError { out.printError("error: \(publishError)\n") }
        if failed || publishError != nil { out.status = 1 }
        return out
    }
}

/// An ingest report for people (a table) and for programs (JSON).
public enum IngestReportText {
    /// The report as one JSON object.
    public static func json(_ report: IngestReport) throws -> String {
        String(decoding: try CommandText.encoder().encode(report), as: UTF8.self)
    }

    /// The report as a table of counts, then one line per error, skip and finding.
    public static func table(_ r: IngestReport) -> String {
        var lines: [String] = []
        let rows: [(String, Int)] = [
            ("ingested", r.ingested), ("updated", r.updated), ("unchanged", r.unchanged),
            ("removed", r.removed), ("skipped", r.skipped)
        ]
        lines.append("files       count")
        for (name, n) in rows { lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(n)) }
        lines.append("stored \(r.documents) documents, \(r.chunks) chunks in \(String(format: "%.2f", r.durationSeconds)) s")
        if r.embedded + r.embeddingsCached > 0 { lines.append("embedded \(r.embedded) chunk texts (\(r.embeddingsCached) from the cache)") }
        for e in r.errors { lines.append("error: \(e.path): \(e.reason)") }
        for s in r.skips { lines.append("skipped: \(s.path): \(s.reason)") }
        for f in r.findings { lines.append("\(f.severity == .warning ? "warning" : "rejected"): \(f.path): \(f.check): \(f.message)") }
        return lines.joined(separator: "\n")
    }
}
