import ArgumentParser
import LoreApp

/// `lore keys create|list|revoke`: the API keys `lore serve` accepts, kept in the store
/// (only a SHA-256 of each secret).
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the API keys lore serve accepts.",
        discussion: """
            A key looks like lore_<id>_<secret>; clients send it as Authorization: Bearer KEY. \
            The store keeps only the id and a SHA-256 of the secret, so a key is shown once, \
            when it is created. A revocation holds from the running server's next request.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it (once: it cannot be shown again).")
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "A name for the key (shown in lists and logs).")
        var name: String

        @Option(name: .long, help: "What the key may do: query, ingest, admin, comma-separated (admin implies all).")
        var scope: String

        @Option(name: .long, help: "A collection the key may use (repeat for more). Default: every collection.")
        var collection: [String] = []

        @Option(name: .long, help: "The key's own rate limit in requests per second (0: none). Default: server.rate_limit.")
        var rate: Double?

        @Option(
            name: .long,
            help: "How many requests the key may make at once before the rate applies (with --rate; default: the rate rounded up).")
        var burst: Int?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        /// The options as LoreApp's request.
        var request: KeyCreateRequest {
            KeyCreateRequest(name: name, scope: scope, collections: collection, rate: rate, burst: burst, json: json)
        }

        func validate() throws {
            try Output.mapping { try request.validate() }
        }

        func run() throws {
            try Output.emit { try KeysCommand.create(request, config: global.configuration()) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys (never their secrets).")
        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            try Output.emit { try KeysCommand.list(json: json, config: global.configuration()) }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by its id (lore keys list shows ids); a running server refuses it from its next request.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The key's id (the part after lore_, or the whole key).")
        var id: String

        func run() throws {
            try Output.emit { try KeysCommand.revoke(id: id, config: global.configuration()) }
        }
    }
}
