import Dispatch
import Foundation
import Logging
import LoreCore
import LoreOps
import LoreQuery
import LoreServer
import LoreStore
import Metrics

/// A read-only replica of published index versions (`lore serve --published DIR`): it
/// serves the version `DIR/current` points at and switches to a new one when it notices it
/// (a watch every `server.watch_interval_s`, SIGHUP, or `POST /admin/reload`).
///
/// A switch verifies the new version's checksum, loads its pipeline (store, index,
/// embedder) beside the old one, then replaces the served collections in one step:
/// requests that started before finish on the old version, which is released when the last
/// of them ends. A version that fails to load is logged and counted, and the old one goes
/// on serving; it is not tried again until `current` changes or a reload is asked for.
///
/// Metrics: `lore_index_version` (the served version's number), `lore_index_reloads_total{outcome}`
/// (`switched`, `unchanged`, `failed`) and `lore_index_reload_seconds`.
public actor PublishedReplica {
    public let published: PublishedVersions
    /// The configuration with `database` at the current link (readiness, gauges, keys).
    public let config: LoreConfiguration
    public let collectionName: String?
    private(set) var served: PublishedVersion
    private var collections: ServedCollections?
    /// The served version's embedder, which serves the next version too (the same
    /// configuration loads the same weights).
    private var embedder: (any Embedder)?
    /// The reload under way: concurrent triggers share it.
    private var inFlight: Task<ReloadReport, any Error>?
    /// A version that failed to load, not retried by the watch until `current` moves.
    private var failedVersion: String?
    private let logger = Logger(label: "lore.replica")
    /// Where every version's answers are recorded (`request_log.database`), or nil.
    public let requestLog: RequestLog?
    /// The shadow candidate and the canary, and the published versions they answer from
    /// when they name one (`shadow.index_version`, `canary.index_version`).
    let shadow: ShadowRunner?
    let canary: CanaryController?
    let candidates: CandidateVersions

    /// Other published versions a replica's candidates answer from.
    struct CandidateVersions: Sendable {
        var shadow: PublishedVersion?
        var canary: PublishedVersion?
    }

    /// Opens the current version; throws when nothing is published, it fails its checksum,
    /// or a candidate's index version is not published (naming its key).
    public init(
        root: String, config: LoreConfiguration, collection: String?, requestLog: RequestLog? = nil, shadow: ShadowRunner? = nil,
        canary: CanaryController? = nil
    ) throws {
        self.requestLog = requestLog
        self.shadow = shadow
        self.canary = canary
        published = PublishedVersions(root: root)
        func candidate(_ key: String, _ name: String?) throws -> PublishedVersion? {
            guard let name else { return nil }
            do { return try PublishedVersions(root: root).verify(name) } catch {
                throw ConfigurationError(description: "\(key) \(name): not a usable published version in \(root): \(error)")
            }
        }
        candidates = CandidateVersions(
            shadow: try candidate("shadow.index_version", shadow == nil ? nil : config.shadow.indexVersion),
            canary: try candidate("canary.index_version", canary == nil ? nil : config.canary.indexVersion))
        guard let current = try published.current() else {
            throw CommandFailure(
                description:
                    "nothing is published in \(root) yet: run lore ingest PATH --publish \(root) (or lore versions publish \(root) --db DB)"
            )
        }
        served = try published.verify(current.name)
        var c = config
        c.database = published.currentDatabasePath
        self.config = c
        collectionName = collection
        Gauge(label: "lore_index_version").record(PublishedVersions.number(of: current.name) ?? 0)
    }

    /// The served collections of the version opened at init (call once).
    public func start() async throws -> (ServedCollections, ServedCollection) {
        let (first, open) = try await load(served, reusing: nil)
        let collections = ServedCollections(first, open: open)
        self.collections = collections
        embedder = first.service.retriever.embedder
        logger.info("serving published version", metadata: ["version": "\(served.name)", "directory": "\(published.root)"])
        return (collections, first)
    }

    /// Switches to the current version if it is not the served one.
    public func reload() async throws -> ReloadReport {
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.switchToCurrent() }
        inFlight = task
        defer { inFlight = nil }
        return try await task.value
    }

    /// The watch's check: a reload unless `current` still names the served version or the
    /// one that last failed.
    public func check() async {
        guard let name = try? published.current()?.name, name != served.name, name != failedVersion else { return }
        _ = try? await reload()
    }

    private func switchToCurrent() async throws -> ReloadReport {
        let started = DispatchTime.now()
        let previous = served.name
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }
        let next: PublishedVersion
        do {
            guard let current = try published.current() else { throw StoreError("\(published.root)/current points at no version") }
            guard current.name != previous else {
                Counter(label: "lore_index_reloads_total", dimensions: [("outcome", "unchanged")]).increment()
                return ReloadReport(previous: previous, version: previous, changed: false, seconds: seconds())
            }
            next = current
            let verified = try published.verify(current.name)
            let (first, open) = try await load(verified, reusing: embedder)
            await collections?.replace(with: first, open: open)
            embedder = first.service.retriever.embedder
            served = verified
            failedVersion = nil
        } catch {
            let failing = (try? published.current()?.name) ?? nil
            failedVersion = failing
            Counter(label: "lore_index_reloads_total", dimensions: [("outcome", "failed")]).increment()
            logger.error(
                "could not switch to the published version; still serving the previous one",
                metadata: ["version": "\(failing ?? "?")", "serving": "\(previous)", "error": "\(error)"])
            throw error
        }
        let elapsed = seconds()
        Counter(label: "lore_index_reloads_total", dimensions: [("outcome", "switched")]).increment()
        Timer(label: "lore_index_reload_seconds").recordNanoseconds(Int64(elapsed * 1e9))
        Gauge(label: "lore_index_version").record(PublishedVersions.number(of: next.name) ?? 0)
        logger.notice(
            "switched to a new published version",
            metadata: ["version": "\(next.name)", "previous": "\(previous)", "seconds": "\(String(format: "%.3f", elapsed))"])
        return ReloadReport(previous: previous, version: next.name, changed: true, seconds: elapsed)
    }

    /// The default collection's pipeline of `version`, and how to open its other collections.
    private func load(_ version: PublishedVersion, reusing embedder: (any Embedder)?) async throws
        -> (ServedCollection, @Sendable (String) async throws -> ServedCollection)
    {
        let config = config, requestLog = requestLog, shadow = shadow, canary = canary, candidates = candidates
        var c = config
        c.database = version.database
        let first = ServerComposition.served(
            try await Self.pipeline(
                version, config: config, collection: collectionName, reusing: embedder, requestLog: requestLog, shadow: shadow,
                canary: canary, candidates: candidates),
            version: version.name)
        let loaded = first.service.retriever.embedder
        return (
            first,
            ServerComposition.opener(c, version: version.name) { name in
                try await Self.pipeline(
                    version, config: config, collection: name, reusing: loaded, requestLog: requestLog, shadow: shadow,
                    canary: canary, candidates: candidates)
            }
        )
    }

    /// A collection's pipeline of `version`, with the pipelines of the candidates' index
    /// versions (of the same collection) beside it. The candidates' pipelines record what they
    /// answer under their own version; they have no shadow or canary of their own.
    static func pipeline(
        _ version: PublishedVersion, config: LoreConfiguration, collection: String?, reusing: (any Embedder)?,
        requestLog: RequestLog?, shadow: ShadowRunner?, canary: CanaryController?, candidates: CandidateVersions
    ) async throws -> QueryServiceFactory.Pipeline {
        var embedder = reusing
        func open(_ v: PublishedVersion) async throws -> QueryService {
            var c = config
            c.database = v.database
            let p = try await QueryServiceFactory.make(
                c, collection: collection, readOnly: true, reusing: embedder, requestLog: requestLog, indexVersion: v.name)
            embedder = embedder ?? p.service.retriever.embedder
            return p.service
        }
        var services = CandidateServices()
        if let v = candidates.shadow { services.shadow = try await open(v) }
        if let v = candidates.canary { services.canary = v == candidates.shadow ? services.shadow : try await open(v) }
        var c = config
        c.database = version.database
        return try await QueryServiceFactory.make(
            c, collection: collection, readOnly: true, reusing: embedder, requestLog: requestLog, indexVersion: version.name,
            shadow: shadow, canary: canary, candidates: services)
    }

    /// Reloads on SIGHUP (the returned source must be kept alive).
    public nonisolated func reloadOnHangUp() -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { [self] in
            Task {
                self.logger.info("SIGHUP: checking for a new published version")
                _ = try? await self.reload()
            }
        }
        source.resume()
        return source
    }

    /// Checks for a new version every `interval` seconds until cancelled.
    public nonisolated func watch(every interval: Double) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                await self.check()
            }
        }
    }
}
