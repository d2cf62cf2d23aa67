import ArgumentParser
import Dispatch
import Foundation
import Logging
import LoreCore
import LoreGenerate
import LoreServer
import LoreStore
import Metrics
import Prometheus
import ServiceLifecycle

/// `lore serve`: the HTTP API over the store's collections, or over the current published
/// index version (`--published DIR`, a read-only replica).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API: /v1/query (JSON or server-sent events), /v1/retrieve, /v1/documents, OpenAI-compatible /v1/chat/completions, /v1/models and /v1/embeddings, /healthz, /readyz, /metrics.",
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

    @Option(name: .long, help: "The collection requests get when they name none (default: configuration collection, else default); requests may name any collection of the store.")
    var collection: String?

    @Flag(name: .long, help: "Serve requests without an API key with full access (server.auth: none); refused unless the host is loopback. A key that is sent is still checked.")
    var unauthenticated = false

    @Option(name: .long, help: "Serve the published index versions in this directory read-only (server.published; lore ingest --publish DIR writes them) instead of --db, switching to each new version without dropping a request.")
    var published: String?

    @Option(name: .long, help: "With --published: seconds between checks for a new version (server.watch_interval_s, default 2; 0: only on SIGHUP and POST /admin/reload).")
    var watchInterval: Double?

    func run() async throws {
        var config = try global.configuration(jsonLogs: true)
        try embedding.apply(to: &config)
        if let host { config.server.host = host }
        if let port { config.server.port = port }
        if unauthenticated { config.server.auth = "none" }
        if let published { config.server.published = published }
        if let watchInterval { config.server.watchIntervalSeconds = watchInterval }
        try config.server.validate()
        guard ServerOptions.isLoopback(config.server.host) || config.server.auth != "none" else {
            throw CommandFailure(description: "refusing --unauthenticated (server.auth: none) on \(config.server.host): unauthenticated access is only allowed on loopback (127.0.0.1, ::1, localhost); create API keys with lore keys create instead")
        }

        // Metrics first: every metric made from here on lands in the registry /metrics shows.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        // A replica of published versions, or a server of the store itself.
        let collections: ServedCollections, first: ServedCollection
        var replica: PublishedReplica? = nil
        if let root = config.server.published {
            let r = try PublishedReplica(root: root, config: config, collection: collection)
            (collections, first) = try await r.start()
            config = r.config   // the database is DIR/current/lore.db: keys, readiness, gauges and reads follow the current version
            replica = r
        } else {
            first = Self.served(try await QueryServiceFactory.make(config, collection: collection))
            collections = ServedCollections(first, open: Self.opener(config, reusing: first.service.retriever.embedder))
        }
        var options = config.server.options(database: config.database)
        options.access.keysArePublished = replica != nil
        let logger = Logger(label: "lore.server")
        let gauges = CorpusGauges(database: config.database)
        let documents = try StoreDocumentCatalog(config: config, collections: collections, readOnly: replica != nil)
        var reload: (@Sendable () async throws -> ReloadReport)? = nil
        var watchers: (any DispatchSourceSignal, Task<Void, Never>?)? = nil
        if let replica {
            reload = { try await replica.reload() }
            let interval = config.server.watchIntervalSeconds
            watchers = (replica.reloadOnHangUp(), interval > 0 ? replica.watch(every: interval) : nil)
        }
        defer { watchers?.1?.cancel() }
        let app = LoreServer.application(
            collections: collections, options: options, readiness: Self.readiness(config, first, replica: replica),
            metrics: { gauges.refresh(); return registry.emitToString() }, documents: documents, reload: reload,
            logger: logger,
            onListening: { host, port in
                print("lore serve: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
                fflush(nil)
            })
        var groupConfig = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .milliseconds(Int64((config.server.shutdownGraceSeconds * 1000).rounded()))
        try await ServiceGroup(configuration: groupConfig).run()
    }

    /// Opens another collection of the store at `config.database` on a request's first use
    /// of it: 404 `collection_not_found` when the store has none of that name. `embedder`,
    /// the default collection's (the same configuration loads the same weights), is reused;
    /// `version` (a published version's name) opens it read-only.
    static func opener(_ config: LoreConfiguration, version: String? = nil, reusing embedder: (any Embedder)? = nil)
        -> @Sendable (String) async throws -> ServedCollection {
        { name in
            let store = try Store(path: config.database, readOnly: true)
            guard try store.existingCollectionID(named: name) != nil else {
                throw APIError(.notFound, code: "collection_not_found", "no collection named \(name) in \(version.map { "published version \($0)" } ?? "this store")")
            }
            return served(try await QueryServiceFactory.make(config, collection: name, readOnly: version != nil, reusing: embedder), version: version)
        }
    }

    static func served(_ pipeline: QueryServiceFactory.Pipeline, version: String? = nil) -> ServedCollection {
        ServedCollection(service: pipeline.service, name: pipeline.collection, defaults: pipeline.defaults, lexicalOnly: pipeline.lexicalOnly,
                         version: version)
    }

    /// What `/readyz` checks: the store opens and has the collection, the index is loaded
    /// (or the collection is lexical only), and an LLM backend, when one is the default,
    /// answers (for a pool, any of its backends; not checked when `generation.fallback`
    /// covers it); for a replica, that the published
    /// directory's current version can be read.
    static func readiness(_ config: LoreConfiguration, _ served: ServedCollection, replica: PublishedReplica?) -> [ReadinessCheck] {
        let database = config.database, collection = served.name
        var checks = [
            ReadinessCheck("store") {
                do {
                    let store = try Store(path: database, readOnly: true)
                    return try store.existingCollectionID(named: collection) == nil ? "no collection \(collection) in \(database)" : nil
                } catch { return "\(database): \(error)" }
            },
        ]
        if let replica {
            checks.append(ReadinessCheck("version") {
                do {
                    guard try replica.published.current() != nil else { return "\(replica.published.root): nothing is published" }
                    return nil
                } catch { return "\(error)" }
            })
        }
        let indexLoaded = served.service.retriever.index != nil || served.lexicalOnly
        checks.append(ReadinessCheck("index") { indexLoaded ? nil : "the vector index is not loaded" })
        // A backend the fallback covers does not make the server unready: it still answers.
        let backend = config.generation.backend
        if backend != GenerationSettings.extractive, config.generation.fallback == nil, let generator = served.service.generators[backend] {
            let clients = ((generator as? BackendPool)?.backends ?? [generator]).compactMap { $0 as? OpenAICompatibleGenerator }
            checks.append(ReadinessCheck("generation") {
                var problems: [String] = []
                for client in clients {
                    guard let problem = await client.probe() else { return nil }
                    problems.append(problem)
                }
                return problems.isEmpty ? nil : problems.joined(separator: "; ")
            })
        }
        return checks
    }
}
