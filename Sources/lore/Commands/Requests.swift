import ArgumentParser
import LoreApp

/// `lore requests list|show|prune`
struct Requests: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the request log: every answered request, its question and answer redacted.",
        subcommands: [List.self, Show.self, Prune.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest requests first.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Only this collection.") var collection: String?
        @Option(name: .long, help: "Only requests of the last DAYS days.") var days: Double?
        @Option(name: .long, help: "Only rated requests: good or bad.") var rated: String?
        @Option(name: .long, help: "At most this many. (default: 50)") var limit = 50
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            try Output.emit {
                try RequestsCommand.list(
                    collection: collection, days: days, rated: rated, limit: limit, json: json, config: global.configuration())
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request in full, with its rating.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request id (the response's request_id).") var id: String
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws { try Output.emit { try RequestsCommand.show(id: id, json: json, config: global.configuration()) } }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply retention now (request_log.retention_days and max_rows; lore serve does it as it runs).")
        @OptionGroup var global: GlobalOptions

        func run() throws { try Output.emit { try RequestsCommand.prune(config: global.configuration()) } }
    }
}

/// `lore feedback list|export`
struct Feedback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Users' ratings of answers (POST /v1/feedback, /good and /bad in the chat).", subcommands: [List.self, Export.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ratings, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Only this collection.") var collection: String?
        @Option(name: .long, help: "At most this many. (default: 50)") var limit = 50
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            try Output.emit { try FeedbackCommand.list(collection: collection, limit: limit, json: json, config: global.configuration()) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write ratings with an expected answer or sources (and refusals rated good) as a golden set for lore eval.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("as-eval-set"), help: "The JSON Lines file to write.") var file: String
        @Option(name: .long, help: "Only this collection.") var collection: String?

        func run() throws {
            try Output.emit { try FeedbackCommand.export(file: file, collection: collection, config: global.configuration()) }
        }
    }
}
