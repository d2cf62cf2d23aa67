import ArgumentParser
import Foundation
import LoreApp

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
    var keep = VersionsCommand.defaultKeep

    @OptionGroup var embedding: EmbedderOptions

    func validate() throws {
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1, not \(keep)") }
    }

    func run() async throws {
        var flags: [String: SettingValue] = [:]
        if let chunkSize { flags["ingest.chunk_size"] = .int(chunkSize) }
        if let chunkOverlap { flags["ingest.chunk_overlap"] = .int(chunkOverlap) }
        if let maxFileBytes { flags["ingest.max_file_bytes"] = .int(maxFileBytes) }
        let config = try global.configuration(embedding, flags: flags)
        let request = IngestRequest(
            paths: paths, collection: collection, include: include, exclude: exclude, prune: prune, strict: strict, json: json,
            verbose: verbose, progress: !json && !verbose && isatty(STDERR_FILENO) == 1, textField: textField, publish: publish, keep: keep)
        try await Output.emit { try await IngestCommand.run(request, config: config, live: Output.live) }
    }
}
