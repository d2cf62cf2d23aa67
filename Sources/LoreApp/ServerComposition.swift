import Dispatch
import Foundation
import Hummingbird
import Logging
import LoreCore
import LoreGenerate
import LoreOps
import LoreServer
import LoreStore
import ServiceLifecycle

/// Everything `lore serve` runs, wired from a configuration: the served collections (of the
/// store, or of the current published version on a replica), the server options, the
/// document catalog, the readiness checks and the reload hook. `router()` is what the
/// in-process API tests drive; `application(onListening:)` is what the executable runs.
public final class ServerComposition: Sendable {
    /// The effective configuration (on a replica, its database is the current version's).
    public let config: LoreConfiguration
    public let collections: ServedCollections
    /// The default collection.
    public let first: ServedCollection
    public let replica: PublishedReplica?
    public let options: ServerOptions
    public let documents: StoreDocumentCatalog
    public let readiness: [ReadinessCheck]
    /// The request log (nil when it is off, or on a replica without `request_log.database`).
    public let requestLog: RequestLog?
    /// Ratings of logged answers (`POST /v1/feedback`), with the request log.
    public let feedback: FeedbackBook?
    /// The shadow candidate (`shadow:`), with the request log: its pairs go there.
    public let shadow: ShadowRunner?
    /// The canary (`canary:`), with the request log: its state and decisions go there.
    public let canary: CanaryController?
    /// The prompt bandit (`prompts.bandit: thompson`), with the request log: split weights from ratings.
    public let bandit: PromptBandit?
    /// The tracer (`tracing:`), and the exporter that sends its spans; nil when tracing is off.
    public let tracer: Tracer?
    public let traceExporter: OTLPTraceExporter?
    let metricsText: @Sendable () -> String
    let logger = Logger(label: "lore.server")

    /// Wires the server. `metrics` renders the metrics registry the process bootstrapped
    /// (the corpus gauges are refreshed before each rendering). Fails with a one-line
    /// `CommandFailure` or `ConfigurationError` on a bad configuration: auth `none` off
    /// loopback, no collection, nothing published.
    public init(config original: LoreConfiguration, collection: String?, metrics: @escaping @Sendable () -> String) async throws {
        var config = original
        try config.server.validate()
        guard ServerOptions.isLoopback(config.server.host) || config.server.auth != .unauthenticated else {
            throw CommandFailure(
                description:
                    "refusing --unauthenticated (server.auth: none) on \(config.server.host): unauthenticated access is only allowed on loopback (127.0.0.1, ::1, localhost); create API keys with lore keys create instead"
            )
        }
        let collections: ServedCollections, first: ServedCollection
        var replica: PublishedReplica? = nil
        let requestLog = try config.openRequestLog(storeIsReadOnly: config.server.published != nil)
        if requestLog == nil, config.requestLog.enabled {
            Logger(label: "lore.server").warning(
                "no request log: a replica of published versions writes none to the read-only version; set request_log.database")
        }
        try config.shadow.validate()
        var shadow: ShadowRunner? = nil
        if config.shadow.enabled {
            guard let log = requestLog else {
                throw ConfigurationError(
                    description: "shadow: needs the request log (request_log.enabled, and request_log.database on a replica)")
            }
            if config.shadow.indexVersion != nil, config.server.published == nil {
                throw ConfigurationError(
                    description: "shadow.index_version: only a replica of published versions (server.published) serves index versions")
            }
            shadow = try ShadowRunner(path: log.path, settings: config.shadow.runner)
        }
        try config.canary.validate()
        try config.tracing.validate()
        var canary: CanaryController? = nil
        if config.canary.enabled {
            guard let log = requestLog else {
                throw ConfigurationError(
                    description: "canary: needs the request log (request_log.enabled, and request_log.database on a replica)")
            }
            if config.canary.indexVersion != nil, config.server.published == nil {
                throw ConfigurationError(
                    description: "canary.index_version: only a replica of published versions (server.published) serves index versions")
            }
            if let b = config.canary.backend, !config.generation.backendNames.contains(b), b != "extractive" {
                throw ConfigurationError(
                    description:
                        "canary.backend \(b): unknown; configured backends are \((["extractive"] + config.generation.backendNames).joined(separator: ", "))"
                )
            }
            canary = try CanaryController(settings: config.canary.controller, path: log.path)
        }
        var bandit: PromptBandit? = nil
        if config.prompts.bandit == .thompson {
            try config.prompts.validate()
            guard let log = requestLog else {
                throw ConfigurationError(description: "prompts.bandit: needs the request log, where the ratings are (request_log.enabled)")
            }
            guard config.server.published == nil else {
                throw ConfigurationError(description: "prompts.bandit: is not built for replicas of published versions")
            }
            bandit = try PromptBandit(path: log.path, settings: config.prompts.banditSettings)
        }
        if let root = config.server.published {
            let r = try PublishedReplica(
                root: root, config: config, collection: collection, requestLog: requestLog, shadow: shadow, canary: canary)
            (collections, first) = try await r.start()
            config = r.config  // the database is DIR/current/lore.db: keys, readiness, gauges and reads follow the current version
            replica = r
        } else {
            first = Self.served(
                try await QueryServiceFactory.make(
                    config, collection: collection, requestLog: requestLog, shadow: shadow, canary: canary, bandit: bandit))
            collections = ServedCollections(
                first,
                open: Self.opener(
                    config, reusing: first.service.retriever.embedder, requestLog: requestLog, shadow: shadow, canary: canary,
                    bandit: bandit))
        }
        var options = config.server.options(database: config.database)
        options.access.keysArePublished = replica != nil
        let gauges = CorpusGauges(database: config.database)
        self.config = config
        self.collections = collections
        self.first = first
        self.replica = replica
        self.options = options
        self.documents = try StoreDocumentCatalog(config: config, collections: collections, readOnly: replica != nil)
        self.readiness = Self.readiness(config, first, replica: replica)
        self.requestLog = requestLog
        self.feedback = try requestLog.map { try FeedbackBook(log: $0) }
        self.shadow = shadow
        self.canary = canary
        self.bandit = bandit
        bandit?.start()
        let tracer = config.tracing.tracer(version: LoreVersion.current)
        self.tracer = tracer
        self.traceExporter = try tracer.map { t in
            OTLPTraceExporter(
                tracer: t, url: config.tracing.tracesURL!, headers: try config.tracing.parsedHeaders(), batch: config.tracing.batch,
                timeout: .milliseconds(Int64((config.tracing.timeoutSeconds * 1000).rounded())), version: LoreVersion.current)
        }
        self.metricsText = {
            gauges.refresh(); return metrics()
        }
    }

    /// The reload hook of a replica (`POST /admin/reload`); nil for a server of the store.
    public var reload: (@Sendable () async throws -> ReloadReport)? {
        guard let replica else { return nil }
        return { try await replica.reload() }
    }

    /// The router with every route and middleware, for in-process use.
    public func router() -> Router<LoreRequestContext> {
        LoreServer.router(
            collections: collections, options: options, readiness: readiness, metrics: metricsText,
            documents: documents, reload: reload, feedback: feedbackCatalog, tracer: tracer)
    }

    /// The feedback route's view of the request log.
    public var feedbackCatalog: (any FeedbackCatalog)? { feedback.map { RequestLogFeedback($0, canary: canary) } }

    /// Writes what the request log has queued and ends its thread (after the server stops).
    /// Shadow work still queued is abandoned (`closeShadow()` waits for it).
    public func close() {
        bandit?.stop()
        requestLog?.close()
    }

    /// Stops the shadow candidate, waiting for the requests it has queued.
    public func closeShadow() async { await shadow?.close() }

    /// The application, listening on `server.host:server.port`.
    public func application(onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void) -> some ApplicationProtocol {
        LoreServer.application(
            collections: collections, options: options, readiness: readiness, metrics: metricsText,
            documents: documents, reload: reload, feedback: feedbackCatalog, tracer: tracer, logger: logger, onListening: onListening)
    }

    /// On a replica, starts what switches versions: SIGHUP, and a poll every
    /// `server.watch_interval_s` when it is above 0. Keep the result alive; cancel its task
    /// to stop polling. Nil for a server of the store.
    public func startWatching() -> (signal: any DispatchSourceSignal, poll: Task<Void, Never>?)? {
        guard let replica else { return nil }
        let interval = config.server.watchIntervalSeconds
        return (replica.reloadOnHangUp(), interval > 0 ? replica.watch(every: interval) : nil)
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting connections and lets in-flight
    /// requests finish (up to `server.shutdown_grace_s`); on a replica, watches for new
    /// versions meanwhile. `onListening` is called once connections are accepted.
    public func run(onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void) async throws {
        let watchers = startWatching()
        defer {
            watchers?.poll?.cancel()
            close()
        }
        // The exporter is listed first, so it stops last: after the server has drained, it
        // sends the spans of the last requests.
        let services: [any Service] = (traceExporter.map { [$0] } ?? []) + [application(onListening: onListening)]
        var group = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "lore.server"))
        group.maximumGracefulShutdownDuration = .milliseconds(Int64((config.server.shutdownGraceSeconds * 1000).rounded()))
        do { try await ServiceGroup(configuration: group).run() } catch {
            await closeShadow()
            throw error
        }
        await closeShadow()
    }

    /// Opens another collection of the store at `config.database` on a request's first use
    /// of it: 404 `collection_not_found` when the store has none of that name. `embedder`,
    /// the default collection's (the same configuration loads the same weights), is reused;
    /// `version` (a published version's name) opens it read-only.
    static func opener(
        _ config: LoreConfiguration, version: String? = nil, reusing embedder: (any Embedder)? = nil, requestLog: RequestLog? = nil,
        shadow: ShadowRunner? = nil, canary: CanaryController? = nil, bandit: PromptBandit? = nil
    )
        -> @Sendable (String) async throws -> ServedCollection
    {
        opener(config, version: version) { name in
            try await QueryServiceFactory.make(
                config, collection: name, readOnly: version != nil, reusing: embedder, requestLog: requestLog, indexVersion: version,
                shadow: shadow, canary: canary, bandit: bandit)
        }
    }

    /// The same, with the pipeline made by `make` (a replica's, with its candidates' versions).
    static func opener(
        _ config: LoreConfiguration, version: String?, make: @escaping @Sendable (String) async throws -> QueryServiceFactory.Pipeline
    )
        -> @Sendable (String) async throws -> ServedCollection
    {
        { name in
            let store = try Store(path: config.database, readOnly: true)
            guard try store.existingCollectionID(named: name) != nil else {
                throw APIError(
                    .notFound, code: "collection_not_found",
                    "no collection named \(name) in \(version.map { "published version \($0)" } ?? "this store")")
            }
            return served(try await make(name), version: version)
        }
    }

    static func served(_ pipeline: QueryServiceFactory.Pipeline, version: String? = nil) -> ServedCollection {
        ServedCollection(
            service: pipeline.service, name: pipeline.collection, defaults: pipeline.defaults, lexicalOnly: pipeline.lexicalOnly,
            version: version)
    }

    /// What `/readyz` checks: the store opens and has the collection, the index is loaded
    /// (or the collection is lexical only), and an LLM backend, when one is the default,
    /// answers (for a pool, any of its backends; not checked when `generation.fallback`
    /// covers it); for a replica, that the published directory's current version can be read.
    static func readiness(_ config: LoreConfiguration, _ served: ServedCollection, replica: PublishedReplica?) -> [ReadinessCheck] {
        let database = config.database, collection = served.name
        var checks = [
            ReadinessCheck("store") {
                do {
                    let store = try Store(path: database, readOnly: true)
                    return try store.existingCollectionID(named: collection) == nil ? "no collection \(collection) in \(database)" : nil
                } catch { return "\(database): \(error)" }
            }
        ]
        if let replica {
            checks.append(
                ReadinessCheck("version") {
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
            checks.append(
                ReadinessCheck("generation") {
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
