import Hummingbird
import Logging
import LoreCore
import NIOCore

/// The HTTP API over the store's collections, as a Hummingbird application (a Service: run it
/// in a ServiceGroup for graceful shutdown on SIGTERM/SIGINT, which stops accepting
/// connections and lets in-flight requests, streams included, finish).
///
/// Routes: `POST /v1/query`, `POST /v1/retrieve`, `GET /healthz`, `GET /readyz`,
/// `GET /metrics`; OpenAI-compatible (`OpenAIRoutes`): `POST /v1/chat/completions`,
/// `GET /v1/models`, `POST /v1/embeddings`; and with a `DocumentCatalog` the document
/// routes (`DocumentRoutes`). Middlewares, outermost first: request id, request metrics and
/// log line, the server span (when tracing is on), CORS (when configured), the index version header, the error shape,
/// authentication and rate limits. A replica of published versions adds `POST /admin/reload`.
public enum LoreServer {
    /// The router with every route and middleware.
    public static func router(
        collections: ServedCollections, options: ServerOptions, readiness: [ReadinessCheck],
        metrics: @escaping @Sendable () -> String,
        documents: (any DocumentCatalog)? = nil,
        reload: (@Sendable () async throws -> ReloadReport)? = nil,
        feedback: (any FeedbackCatalog)? = nil, tracer: Tracer? = nil
    ) -> Router<LoreRequestContext> {
        let router = Router(context: LoreRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(TraceMiddleware(tracer: tracer))
        router.middlewares.add(RequestMetricsMiddleware())
        if let cors = options.access.cors { router.middlewares.add(CORSPolicyMiddleware(policy: cors)) }
        router.middlewares.add(IndexVersionMiddleware(collections: collections))
        // The 405 table is the router's own list of routes, read once they are registered.
        let table = RouteTable()
        router.middlewares.add(ErrorMiddleware(routes: table))
        router.middlewares.add(AuthMiddleware(access: options.access))
        QueryRoutes(collections: collections, options: options).register(on: router)
        OperationsRoutes(readiness: readiness, metrics: metrics).register(on: router)
        OpenAIRoutes(collections: collections, options: options).register(on: router)
        if let documents { DocumentRoutes(collections: collections, catalog: documents, options: options).register(on: router) }
        if let reload { AdminRoutes(reload: reload).register(on: router) }
        if let feedback { FeedbackRoutes(catalog: feedback, options: options).register(on: router) }
        table.fill(router.routes.map { ("\($0.path)", $0.method) })
        return router
    }

    /// The application, listening on `options.host:options.port`; `onListening` gets the
    /// bound host and port once it accepts connections (the real port when `port` is 0).
    public static func application(
        collections: ServedCollections, options: ServerOptions, readiness: [ReadinessCheck],
        metrics: @escaping @Sendable () -> String, documents: (any DocumentCatalog)? = nil,
        reload: (@Sendable () async throws -> ReloadReport)? = nil, feedback: (any FeedbackCatalog)? = nil, tracer: Tracer? = nil,
        logger: Logger,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void
    )
        -> some ApplicationProtocol
    {
        let router = router(
            collections: collections, options: options, readiness: readiness, metrics: metrics, documents: documents, reload: reload,
            feedback: feedback, tracer: tracer)
        let host = options.host
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "lore"),
            onServerRunning: { channel in await onListening(host, channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
