import ArgumentParser
import Foundation
import Logging
import LoreGenerate
import LoreServer
import LoreStore
import Metrics
import Prometheus
import ServiceLifecycle

/// `lore serve`: the HTTP API over one collection.
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

    func run() async throws {
        var config = try global.configuration(jsonLogs: true)
        try embedding.apply(to: &config)
        if let host { config.server.host = host }
        if let port { config.server.port = port }
        if unauthenticated { config.server.auth = "none" }
        try config.server.validate()
        let options = config.server.options(database: config.database)
        guard ServerOptions.isLoopback(options.host) || !options.access.unauthenticatedLocal else {
            throw CommandFailure(description: "refusing --unauthenticated (server.auth: none) on \(options.host): unauthenticated access is only allowed on loopback (127.0.0.1, ::1, localhost); create API keys with lore keys create instead")
        }

        // Metrics first: every metric made from here on lands in the registry /metrics shows.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let pipeline = try await QueryServiceFactory.make(config, collection: collection)
        let collections = ServedCollections(Self.served(pipeline)) { [config] name in
            let store = try Store(path: config.database, readOnly: true)
            guard try store.existingCollectionID(named: name) != nil else {
                throw APIError(.notFound, code: "collection_not_found", "no collection named \(name) in this store")
            }
            return Self.served(try await QueryServiceFactory.make(config, collection: name))
        }
        let logger = Logger(label: "lore.server")
        let gauges = CorpusGauges(database: config.database)
        let documents = try StoreDocumentCatalog(config: config, collections: collections)
        let app = LoreServer.application(
            collections: collections, options: options, readiness: Self.readiness(config, pipeline),
            metrics: { gauges.refresh(); return registry.emitToString() }, documents: documents,
            logger: logger,
            onListening: { host, port in
                print("lore serve: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
                fflush(nil)
            })
        var groupConfig = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .milliseconds(Int64((config.server.shutdownGraceSeconds * 1000).rounded()))
        try await ServiceGroup(configuration: groupConfig).run()
    }

    static func served(_ pipeline: QueryServiceFactory.Pipeline) -> ServedCollection {
        ServedCollection(service: pipeline.service, name: pipeline.collection, defaults: pipeline.defaults, lexicalOnly: pipeline.lexicalOnly)
    }

    /// What `/readyz` checks: the store opens and has the collection, the index is loaded
    /// (or the collection is lexical only), and an LLM backend, when one is the default,
    /// answers (for a pool, any of its backends).
    static func readiness(_ config: LoreConfiguration, _ pipeline: QueryServiceFactory.Pipeline) -> [ReadinessCheck] {
        let database = config.database, collection = pipeline.collection
        var checks = [
            ReadinessCheck("store") {
                do {
                    let store = try Store(path: database, readOnly: true)
                    return try store.existingCollectionID(named: collection) == nil ? "no collection \(collection) in \(database)" : nil
                } catch { return "\(database): \(error)" }
            },
        ]
        let indexLoaded = pipeline.service.retriever.index != nil || pipeline.lexicalOnly
        checks.append(ReadinessCheck("index") { indexLoaded ? nil : "the vector index is not loaded" })
        let backend = config.generation.backend
        if backend != GenerationSettings.extractive, let generator = pipeline.service.generators[backend] {
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
