import ArgumentParser
import LoreApp

/// `lore guard check|eval|flagged|scan|audit`
struct Guard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Check text against the guardrail policy, measure the rules, and list what they found.",
        subcommands: [Check.self, Eval.self, Features.self, Flagged.self, Scan.self, Audit.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show what the rules find in TEXT, as a question (input rails), a document passage (injection scan), or an answer (output rails)."
        )
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The text to check.")
        var text: String

        @Option(name: .customLong("as"), help: "question, document or answer. (default: question)")
        var kind = "question"

        @Option(
            name: .long,
            help:
                "For --as answer: how many sources the answer was given, numbered 1...N (invented citations are those above N). (default: 5)"
        )
        var sources = 5

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await Output.emit {
                try await GuardCommand.check(text: text, kind: kind, sources: sources, json: json, config: global.configuration())
            }
        }
    }

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Detection and false-positive rates of each rule family on the labelled sets (and of the citation-support check on a store).",
            discussion: """
                Every set splits into a development part and a sealed part by a committed hash rule (SplitPart: \
                the first byte of SHA-256("lore-split-v1:" + id) odd means sealed). --part sealed prints aggregates only: \
                --verbose lists misses of the development part alone.
                """)
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The directory with pii.jsonl and injection.jsonl (the in-house development sets).")
        var sets = "Tests/Fixtures/guardrails"

        @Option(name: .long, help: "PII sets to score instead of SETS/pii.jsonl (repeatable).")
        var piiSet: [String] = []

        @Option(name: .long, help: "Injection sets to score instead of SETS/injection.jsonl (repeatable).")
        var injectionSet: [String] = []

        @Option(name: .long, help: "The injection classifier file to use (default: guardrails.injection_model, else the bundled one).")
        var injectionModel: String?

        @Option(name: .long, help: "Which part of each set: all, dev or sealed. (default: all)")
        var part = "all"

        @Flag(name: .long, help: "Also measure the citation-support check on sentences drawn from the database's chunks.")
        var support = false

        @Option(name: .long, help: "Write the report as JSON to this file.")
        var report: String?

        @Flag(name: .long, help: "List every miss and false positive (development part only).")
        var verbose = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            let request = GuardEvalRequest(
                sets: sets, piiSets: piiSet, injectionSets: injectionSet, injectionModel: injectionModel, part: part, support: support,
                report: report, verbose: verbose, json: json)
            try await Output.emit { try await GuardCommand.eval(request, config: global.configuration()) }
        }
    }

    struct Features: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the injection classifier's input vector for each line of a JSON Lines file (for scripts/train-guard).",
            discussion:
                "Each input line is {\"text\": ..., \"where\": \"question\"|\"document\"}; each output line is a JSON array: the embedding, then the structural features."
        )
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The JSON Lines file.")
        var file: String?

        @Flag(name: .long, help: "Print the feature names as one JSON array and exit.")
        var names = false

        func run() async throws {
            try await Output.emit {
                try await GuardCommand.features(file: file, names: names, configuration: { try global.configuration() })
            }
        }
    }

    struct Flagged: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the chunks the ingest-time scan flagged for instructions aimed at the model.")
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only this collection.")
        var collection: String?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            try Output.emit { try GuardCommand.flagged(collection: collection, json: json, config: global.configuration()) }
        }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the injection scan over every chunk not yet scanned (lore ingest runs it too).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Output.emit { try await GuardCommand.scan(config: global.configuration()) }
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the newest guardrail findings from the audit trail.")
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only this request's findings.")
        var requestID: String?

        @Option(name: .long, help: "At most this many. (default: 50)")
        var limit = 50

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            try Output.emit { try GuardCommand.audit(requestID: requestID, limit: limit, json: json, config: global.configuration()) }
        }
    }
}
