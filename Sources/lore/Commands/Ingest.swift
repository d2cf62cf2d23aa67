import ArgumentParser
import Foundation
import Logging
import LoreApp
import LoreCore
import LoreEmbed
import LoreEmbedHTTP
import LoreGuardrails
import LoreIndex
import LoreIngest
import LoreStore

/// `lore ingest PATH...`
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load, validate, chunk and store files and directories (incremental, crash-safe).",
        discussion: """
            Unchanged files are skipped, changed files replace their documents atomically, and --prune removes \
            documents whose files are gone. Exit status: 0 on success, 1 when a file or path failed (the others \
            are still ingested), or when --strict and any validation finding was made.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Files and directories to ingest.")
    var paths: [String]

    @Option(name: .long, help: "Collection to ingest into. Default: default.")
    var collection: String?

    @Option(name: .long, help: "Only ingest files matching this glob (repeatable). Without '/', matches the file name.")
    var include: [String] = []

    @Option(name: .long, help: "Skip files and directories matching this glob (repeatable).")
    var exclude: [String] = []

    @Flag(name: .long, help: "Remove documents of the collection whose files no longer exist.")
    var prune = false

    @Flag(name: .long, help: "Exit non-zero on any validation finding, not only on errors.")
    var strict = false

    @Flag(name: .long, help: "Print one JSON object with the counts, errors and findings.")
    var json = false

    @Flag(name: .long, help: "Print one line per file as it is done.")
    var verbose = false

    @Option(name: .long, help: "JSON field or CSV column holding the text of each record.")
    var textField: String?

    @Option(name: .long, help: "Chunk size in model tokens (default 200, at most 254).")
    var chunkSize: Int?

    @Option(name: .long, help: "Tokens shared by consecutive chunks (default 30).")
    var chunkOverlap: Int?

    @Option(name: .long, help: "Largest file read, in bytes (default 52428800).")
    var maxFileBytes: Int?

    @Option(
        name: .long,
        help:
            "After ingesting, publish the store as a new index version in this directory and make it current (lore serve --published DIR serves it; see lore versions)."
    )
    var publish: String?

    @Option(name: .long, help: "With --publish: how many versions to keep (the newest; never the current). Default: 5.")
    var keep = Versions.defaultKeep

    @OptionGroup var embedding: EmbedderOptions

    func validate() throws {
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1, not \(keep)") }
    }

    func run() async throws {
        var config = try global.configuration()
        if let chunkSize { config.ingest.chunkSize = chunkSize }
        if let chunkOverlap { config.ingest.chunkOverlap = chunkOverlap }
        if let maxFileBytes { config.ingest.maxFileBytes = maxFileBytes }
        try embedding.apply(to: &config)

        let tokenizer = try WordPieceTokenizer(modelDirectory: config.modelDirectory())
        let chunker: RecursiveChunker
        do {
            chunker = try RecursiveChunker(
                counter: tokenizer, options: ChunkingOptions(size: config.ingest.chunkSize, overlap: config.ingest.chunkOverlap))
        } catch { throw ValidationError(error.description) }
        let validator = Validator(
            options: ValidationOptions(
                maxFileBytes: config.ingest.maxFileBytes,
                minCharacters: config.ingest.minCharacters,
                rejectInvalidUTF8: config.ingest.invalidUTF8 == "reject"))
        let logger = Logger(label: "lore.ingest")
        let embedder = try await EmbedderFactory.make(config)
        let ingestor = Ingestor(chunker: chunker, validator: validator, embedder: embedder, logger: logger)
        let options = IngestOptions(
            collection: collection ?? config.collection,
            include: (config.ingest.include + include).map(Glob.init),
            exclude: (config.ingest.exclude + exclude).map(Glob.init),
            prune: prune, load: LoadOptions(textField: textField))

        let store: Store
        do { store = try Store(path: config.database, logger: Logger(label: "lore.store")) } catch {
            throw CommandFailure(description: "cannot open the database \(config.database): \(error)")
        }
        let progress = ProgressBar(enabled: !json && !verbose && isatty(STDERR_FILENO) == 1)
        let report: IngestReport
        do {
            report = try await ingestor.run(paths: paths, into: store, options: options, arguments: CommandLine.arguments) { event in
                switch event {
                case .started(let files): progress.start(total: files)
                case .file(let path, let outcome, let chunks):
                    progress.advance(chunks: chunks)
                    if verbose { print("\(outcome) \(path)\(chunks > 0 ? " (\(chunks) chunks)" : "")"); fflush(nil) }
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

        // The ingest-time injection scan: new and changed chunks are scanned and the flagged
        // ones marked in the store (`lore guard flagged` lists them).
        var scanReport: IngestScanner.Report? = nil
        let guardPolicy = config.guardrails
        if guardPolicy.enabled, guardPolicy.context.scanAtIngest, guardPolicy.context.injection.isOn {
            do {
                scanReport = try await IngestScanner(
                    detector: try guardPolicy.injectionDetector(embedder: embedder),
                    threshold: guardPolicy.context.injection.threshold,
                    windows: guardPolicy.context.scanWindows
                ).scan(store)
            } catch {
                FileHandle.standardError.write(
                    Data(
                        "warning: the documents are stored, but the guardrail scan failed: \(error) (lore guard scan runs it again)\n".utf8)
                )
            }
        }

        let failed = !report.errors.isEmpty || indexError != nil || (strict && (!report.findings.isEmpty || !report.skips.isEmpty))
        // A run that failed is not published: replicas keep serving the last good version.
        var published: PublishOutcome? = nil
        var publishError: String? = nil
        if let publish {
            if failed {
                publishError = "not published to \(publish): the ingest had errors (fix them and run again, or lore versions publish)"
            } else {
                do { published = try PublishedVersions(root: publish).publish(store, keep: keep) } catch {
                    publishError = "the documents are stored in \(config.database), but publishing to \(publish) failed: \(error)"
                }
            }
        }

        if json {
            var object = try JSONSerialization.jsonObject(with: Data(try ReportFormatter.json(report).utf8)) as! [String: Any]
            object["index"] = indexReport.map(IndexCommand.syncDescription) ?? NSNull()
            object["guardrail_scan"] = scanReport.map { ["scanned": $0.scanned, "flagged": $0.flagged] as [String: Any] } ?? NSNull()
            if let indexError { object["index_error"] = indexError }
            if publish != nil {
                object["published"] =
                    published.map {
                        [
                            "version": $0.version.name, "sha256": $0.version.manifest.sha256, "bytes": $0.version.manifest.bytes,
                            "removed": $0.removed
                        ] as [String: Any]
                    } ?? NSNull()
            }
            print(try IndexCommand.json(object))
        } else {
            print(ReportFormatter.table(report))
            if let r = indexReport {
                var line = "index: \(r.kind.rawValue), \(r.count) vectors"
                if r.tombstones > 0 { line += ", \(r.tombstones) tombstones" }
                if let reason = r.reason { line += " (rebuilt: \(reason))" }
                print(line + (r.saved ? String(format: ", saved in %.2f s", r.seconds) : ", unchanged"))
            }
            if let r = scanReport, r.flagged > 0 {
                print(
                    "guardrails: \(r.flagged) of \(r.scanned) new chunks flagged for instructions aimed at the model (lore guard flagged lists them)"
                )
            }
        }
        if let published, !json, let publish { Versions.printOutcome(published, root: publish) }
        if let indexError { FileHandle.standardError.write(Data("error: \(indexError)\n".utf8)) }
        if let publishError { FileHandle.standardError.write(Data("error: \(publishError)\n".utf8)) }
        if failed || publishError != nil { throw ExitCode(1) }
    }
}
