import ArgumentParser
import LoreApp

/// `lore versions publish|list|rollback|verify DIR`: the published index versions that
/// `lore serve --published DIR` replicas serve.
struct Versions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "Publish, list, verify and roll back the index versions replicas serve (lore serve --published DIR).",
        discussion: """
            A version is a complete, checksummed, read-only copy of the store (documents, \
            vectors, the index snapshot, API keys) under DIR/versions/vNNNNNN; DIR/current \
            points at the one replicas serve and is switched atomically. lore ingest --publish \
            DIR publishes after ingesting.
            """,
        subcommands: [Publish.self, List.self, Rollback.self, Verify.self]
    )

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish the store as a new version and make it current.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The published directory (created if missing).")
        var directory: String

        @Option(name: .long, help: "How many versions to keep (the newest; never the current). Default: 5.")
        var keep = VersionsCommand.defaultKeep

        func validate() throws {
            guard keep >= 1 else { throw ValidationError("--keep must be at least 1, not \(keep)") }
        }

        func run() throws {
            try Output.emit { try VersionsCommand.publish(directory: directory, keep: keep, config: global.configuration()) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the kept versions; * marks the current one.")
        @Argument(help: "The published directory.")
        var directory: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            try Output.emit { try VersionsCommand.list(directory: directory, json: json) }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point current at an older version (verified first); replicas switch to it as to a new one.")
        @Argument(help: "The published directory.")
        var directory: String

        @Option(name: .long, help: "The version to go back to (default: the newest one before the current).")
        var to: String?

        func run() throws {
            try Output.emit { try VersionsCommand.rollback(directory: directory, to: to) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute the checksums of the kept versions (or one).")
        @Argument(help: "The published directory.")
        var directory: String

        @Argument(help: "One version (default: every kept version).")
        var version: String?

        func run() throws {
            try Output.emit { try VersionsCommand.verify(directory: directory, version: version) }
        }
    }
}
