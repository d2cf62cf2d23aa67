import ArgumentParser
import LoreApp

/// `lore index build|stats|verify|rebuild|search`
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build, inspect, check, rebuild and search the vector index stored in the database.",
        subcommands: [Build.self, Stats.self, Verify.self, Rebuild.self, Search.self]
    )

    /// Options every `lore index` subcommand takes.
    struct Common: ParsableArguments {
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The collection (default: configuration collection, else default).")
        var collection: String?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Flag(name: .long, help: "Print a line as each snapshot part is written.")
        var verbose = false

        /// The options as LoreApp's request.
        var request: IndexRequest { IndexRequest(collection: collection, json: json, verbose: verbose) }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the stored index up to date (replaying changes since its snapshot).")
        @OptionGroup var common: Common

        func run() throws {
            try Output.emit {
                try IndexMaintenance.sync(common.request, force: false, config: common.global.configuration(), live: Output.live)
            }
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rebuild the index from the stored vectors and save it.")
        @OptionGroup var common: Common

        func run() throws {
            try Output.emit {
                try IndexMaintenance.sync(common.request, force: true, config: common.global.configuration(), live: Output.live)
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the stored index: type, size, tombstones, parameters, snapshot.")
        @OptionGroup var common: Common

        func run() throws {
            try Output.emit { try IndexMaintenance.stats(common.request, config: common.global.configuration()) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the snapshot's checksums and structure, and measure recall against exact search.")
        @OptionGroup var common: Common

        @Option(name: .long, help: "Vectors sampled as queries (default 200).")
        var sample = 200

        @Option(name: .long, help: "Fail when recall@10 on the sample is below this (default 0.9).")
        var minRecall = 0.9

        func run() throws {
            try Output.emit {
                try IndexMaintenance.verify(common.request, sample: sample, minRecall: minRecall, config: common.global.configuration())
            }
        }
    }
}
