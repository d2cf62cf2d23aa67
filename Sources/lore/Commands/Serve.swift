import ArgumentParser
import Foundation
import LoreApp

/// `lore serve`: the HTTP API over the store's collections, or over the current published
/// index version (`--published DIR`, a read-only replica).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Serve the HTTP API: /v1/query (JSON or server-sent events), /v1/retrieve, /v1/documents, OpenAI-compatible /v1/chat/completions, /v1/models and /v1/embeddings, /healthz, /readyz, /metrics.",
        discussion: """
            Answers with the same pipeline as lore query. Every API route needs an API key \
            (Authorization: Bearer KEY; lore keys create makes them) unless --unauthenticated \
            (server.auth: none) is given, which only loopback allows; /healthz, /readyz and \
            /metrics stay open. Prints \
            "lore serve: listening on http://HOST:PORT" once it accepts connections (--port 0 picks \
            a free port). SIGTERM or SIGINT stops accepting connections and lets in-flight requests \
            finish (up to server.shutdown_grace_s).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var embedding: EmbedderOptions

    @Option(name: .long, help: "The address to listen on (default: server.host, 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "The port (default: server.port, 8080; 0 picks a free one).")
    var port: Int?

    @Option(
        name: .long,
        help:
            "The collection requests get when they name none (default: configuration collection, else default); requests may name any collection of the store."
    )
    var collection: String?

    @Flag(
        name: .long,
        help:
            "Serve requests without an API key with full access (server.auth: none); refused unless the host is loopback. A key that is sent is still checked."
    )
    var unauthenticated = false

    @Option(
        name: .long,
        help:
            "Serve the published index versions in this directory read-only (server.published; lore ingest --publish DIR writes them) instead of --db, switching to each new version without dropping a request."
    )
    var published: String?

    @Option(
        name: .long,
        help:
            "With --published: seconds between checks for a new version (server.watch_interval_s, default 2; 0: only on SIGHUP and POST /admin/reload)."
    )
    var watchInterval: Double?

    func run() async throws {
        var flags: [String: SettingValue] = [:]
        if let host { flags["server.host"] = .string(host) }
        if let port { flags["server.port"] = .int(port) }
        if unauthenticated { flags["server.auth"] = .string(AuthMode.unauthenticated.rawValue) }
        if let published { flags["server.published"] = .string(published) }
        if let watchInterval { flags["server.watch_interval_s"] = .double(watchInterval) }
        let config = try global.configuration(embedding, jsonLogs: true, flags: flags)
        // Metrics first: every metric made from here on lands in the registry /metrics shows.
        let metrics = ProcessTelemetry.bootstrapPrometheus()
        let server = try await ServerComposition(config: config, collection: collection, metrics: metrics)
        try await server.run(onListening: { host, port in
            print("lore serve: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            fflush(nil)
        })
    }
}
