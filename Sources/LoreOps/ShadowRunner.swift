import Foundation
import Logging
import LoreCore
import LoreGuardrails
import LorePrompts
import LoreQuery
import LoreRetrieval
import LoreStore
import Metrics
import Synchronization

/// What a shadow candidate changes in a request: a prompt version, a backend, retrieval
/// settings (`shadow:` in the configuration), or, on a replica, the published index version
/// that answers. The candidate runs on the same pipeline with these overrides, or on the
/// pipeline of that version.
public struct ShadowCandidate: Sendable, Equatable {
    /// `NAME@VERSION`.
    public var prompt: String?
    /// A configured backend's name.
    public var backend: String?
    public var k: Int?
    public var fetchK: Int?
    public var mode: RetrievalMode?
    public var lambda: Double?
    public var minRelevance: Double?
    /// A published index version's name (`v000003`): on a replica, that version answers.
    public var indexVersion: String?

    public init(
        prompt: String? = nil, backend: String? = nil, k: Int? = nil, fetchK: Int? = nil, mode: RetrievalMode? = nil,
        lambda: Double? = nil, minRelevance: Double? = nil, indexVersion: String? = nil
    ) {
        self.indexVersion = indexVersion
        self.prompt = prompt
        self.backend = backend
        self.k = k
        self.fetchK = fetchK
        self.mode = mode
        self.lambda = lambda
        self.minRelevance = minRelevance
    }

    /// True when it changes nothing.
    public var isEmpty: Bool { self == ShadowCandidate() }

    /// The candidate's name in reports and metrics: its overrides, `key=value` joined by
    /// spaces (`prompt=answer@v2 k=8`).
    public var label: String {
        var parts: [String] = []
        if let indexVersion { parts.append("index=\(indexVersion)") }
        if let prompt { parts.append("prompt=\(prompt)") }
        if let backend { parts.append("backend=\(backend)") }
        if let mode { parts.append("mode=\(mode.rawValue)") }
        if let k { parts.append("k=\(k)") }
        if let fetchK { parts.append("fetch_k=\(fetchK)") }
        if let lambda { parts.append("lambda=\(lambda)") }
        if let minRelevance { parts.append("min_relevance=\(minRelevance)") }
        return parts.joined(separator: " ")
    }

    /// The candidate's version of a primary request: overrides applied, streamed as the
    /// primary was (the same first-token timing), a request id of its own, and the `shadow`
    /// channel (never logged, never shadowed again).
    public func apply(to primary: QueryRequest) -> QueryRequest {
        var r = overriding(primary)
        r.requestID = primary.requestID + "~shadow"
        r.origin = RequestOrigin(channel: ShadowRunner.channel, keyID: primary.origin.keyID, traceID: primary.origin.traceID)
        return r
    }

    /// `request` with the candidate's overrides (its id and origin kept): a canary's request.
    public func overriding(_ request: QueryRequest) -> QueryRequest {
        var r = request
        if let prompt { r.prompt = prompt }
        if let backend { r.backend = backend }
        if let k {
            r.retrieval.k = k
            r.retrieval.fetchK = max(r.retrieval.fetchK, k)
        }
        if let fetchK { r.retrieval.fetchK = max(fetchK, r.retrieval.k) }
        if let mode { r.retrieval.mode = mode }
        if let lambda { r.retrieval.lambda = lambda }
        if let minRelevance { r.retrieval.minRelevance = minRelevance }
        return r
    }
}

/// Shadow traffic: a sampled share of answered requests is answered again by the candidate,
/// in the background, and the two are compared and stored (`shadow_pairs`). The candidate's
/// answer never reaches the user; its failures are counted (`lore_shadow_requests_total
/// {outcome="failed"}`) and logged at debug, never surfaced. The queue is bounded: when it is
/// full the request is dropped and counted (`outcome="dropped"`), so the primary never waits.
/// One candidate runs at a time, and only on spare capacity: a queued request waits until no
/// primary request has been in flight for `quiet` (`activity`, which the server's pipelines
/// keep), and one that waits longer than `maxWait` is dropped and counted
/// (`outcome="expired"`). Under steady load the candidate therefore mostly drops, and says so.
public final class ShadowRunner: @unchecked Sendable {
    /// The channel of the candidate's requests.
    public static let channel = "shadow"

    public struct Settings: Sendable, Equatable {
        public var candidate: ShadowCandidate
        /// The share of answered requests that are shadowed, 0...1 (by a hash of the request id).
        public var sample: Double
        /// Requests waiting for the candidate before new ones are dropped.
        public var queueLimit: Int
        /// How long no primary request must have been in flight before a candidate run
        /// starts (zero: it starts whenever its thread gets a core).
        public var quiet: Duration
        /// How long a queued request may wait for a quiet moment before it is dropped.
        public var maxWait: Duration

        public init(
            candidate: ShadowCandidate, sample: Double = 1, queueLimit: Int = 64, quiet: Duration = .milliseconds(10),
            maxWait: Duration = .seconds(60)
        ) {
            self.candidate = candidate
            self.sample = sample
            self.queueLimit = queueLimit
            self.quiet = quiet
            self.maxWait = maxWait
        }
    }

    public let settings: Settings
    /// The primary requests in flight: the pipelines this runner shadows count theirs here.
    public let activity = ForegroundActivity()
    private let store: Mutex<Store>
    private let redactor = PIIDetector()
    private let logger: Logger
    /// One request for the candidate: the primary's answer, its collection, the pipeline.
    struct Job: Sendable {
        var answered: AnsweredQuery
        var collection: String
        var service: QueryService
        var queuedAt = ContinuousClock.now
    }
    private let jobs: AsyncStream<Job>.Continuation
    private let stream: AsyncStream<Job>
    private let worker = Mutex<Task<Void, Never>?>(nil)
    /// The candidate's work runs at the lowest priority, on a thread of its own.
    private let executor = BackgroundExecutor(name: "lore-shadow")

    /// Pairs go to the store at `path` (the request log's), on a connection of their own.
    /// The worker starts with the first offer; call `close()` at the end.
    public init(path: String, settings: Settings, logger: Logger = Logger(label: "lore.shadow")) throws {
        self.settings = settings
        self.logger = logger
        store = Mutex(try Store(path: path))
        let (stream, continuation) = AsyncStream<Job>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, settings.queueLimit)))
        jobs = continuation
        self.stream = stream
    }

    /// Starts the worker (on the first offer). It holds the runner until `close()`.
    private func startWorker() {
        worker.withLock { task in
            guard task == nil else { return }
            let stream = stream
            // Not detached: it keeps the task locals of the request that started it (a test server's metrics registry),
            // all but that request's span: candidate runs are not part of the first request's trace.
            task = Task(priority: .background) {
                await Tracing.$current.withValue(nil) {
                    for await job in stream {
                        guard await self.waitForQuiet(since: job.queuedAt) else {
                            Counter(label: "lore_shadow_requests_total", dimensions: [("outcome", "expired")]).increment()
                            continue
                        }
                        await self.executor.run { await self.run(job) }
                    }
                }
            }
        }
    }

    /// Stops taking requests and waits for the queued ones.
    public func close() async {
        jobs.finish()
        await worker.withLock { $0 }?.value
    }

    /// Waits until no primary request has been in flight for `settings.quiet`; false when
    /// that takes past `settings.maxWait` from `queuedAt`. Polls at a fraction of the quiet
    /// period (an idle server is seen within it; a busy one costs a wake-up per poll).
    func waitForQuiet(since queuedAt: ContinuousClock.Instant) async -> Bool {
        let quiet = settings.quiet
        guard quiet > .zero else { return true }
        let poll = max(quiet / 4, .milliseconds(1))
        while !activity.isQuiet(for: quiet) {
            if ContinuousClock.now - queuedAt > settings.maxWait { return false }
            try? await Task.sleep(for: poll)
        }
        return true
    }

    /// Whether request `id` falls in the sampled share (a stable hash of the id).
    func sampled(_ id: String) -> Bool {
        if settings.sample >= 1 { return true }
        if settings.sample <= 0 { return false }
        return PromptSplit.point(name: "shadow", key: id) < settings.sample
    }

    /// Queues one answered request of `collection` for the candidate on `service` when
    /// sampled; never waits.
    public func offer(_ answered: AnsweredQuery, collection: String, service: QueryService) {
        guard answered.request.origin.channel != Self.channel, sampled(answered.response.requestID) else { return }
        startWorker()
        switch jobs.yield(Job(answered: answered, collection: collection, service: service)) {
        case .enqueued: Counter(label: "lore_shadow_requests_total", dimensions: [("outcome", "queued")]).increment()
        case .dropped: Counter(label: "lore_shadow_requests_total", dimensions: [("outcome", "dropped")]).increment()
        case .terminated: return
        @unknown default: return
        }
    }

    private func run(_ job: Job) async {
        let primary = job.answered, service = job.service, collection = job.collection
        let request = settings.candidate.apply(to: primary.request)
        let candidate: QueryResponse
        do { candidate = try await service.answer(request) } catch {
            Counter(label: "lore_shadow_requests_total", dimensions: [("outcome", "failed")]).increment()
            logger.debug("shadow candidate failed", metadata: ["request_id": "\(primary.response.requestID)", "error": "\(error)"])
            return
        }
        var similarity: Double? = nil
        let a = primary.response.answer, b = candidate.answer
        if !a.isEmpty, !b.isEmpty, let vectors = try? await service.retriever.embedder?.embed([a, b]), vectors.count == 2 {
            similarity = Self.cosine(vectors[0], vectors[1])
        }
        let pair = Self.compare(
            primary: primary, candidate: candidate, label: settings.candidate.label, collection: collection, similarity: similarity,
            redact: { self.redactor.redact($0).text })
        do {
            try store.withLock { try $0.appendShadowPair(pair) }
            Counter(label: "lore_shadow_requests_total", dimensions: [("outcome", "compared")]).increment()
        } catch {
            Counter(label: "lore_shadow_requests_total", dimensions: [("outcome", "failed")]).increment()
            logger.error("could not store a shadow pair", metadata: ["error": "\(error)"])
        }
    }

    /// The comparison of a primary answer with its candidate's.
    static func compare(
        primary: AnsweredQuery, candidate: QueryResponse, label: String, collection: String, similarity: Double?,
        redact: (String) -> String
    ) -> ShadowPair {
        let p = primary.response
        let k = max(1, primary.request.retrieval.k)
        let primaryTop = Array(Self.chunks(p.citations).prefix(k))
        let candidateTop = Set(Self.chunks(candidate.citations).prefix(k))
        let overlap =
            primaryTop.isEmpty ? (candidateTop.isEmpty ? 1 : 0) : Double(primaryTop.filter(candidateTop.contains).count) / Double(k)
        let citedP = Set(p.citations.filter(\.cited).map(\.source)), citedC = Set(candidate.citations.filter(\.cited).map(\.source))
        let union = citedP.union(citedC)
        let agreement = union.isEmpty ? 1 : Double(citedP.intersection(citedC).count) / Double(union.count)
        return ShadowPair(
            requestID: p.requestID, collection: collection, candidate: label, question: redact(primary.guardedQuestion),
            primaryAnswer: redact(p.answer), candidateAnswer: redact(candidate.answer), overlapAtK: overlap, k: k,
            citedAgreement: agreement, refusalAgreement: p.refused == candidate.refused, answerSimilarity: similarity,
            primaryRefused: p.refused, candidateRefused: candidate.refused, primaryMs: p.timingsMs.total,
            candidateMs: candidate.timingsMs.total, primaryTokens: p.usage.promptTokens + p.usage.completionTokens,
            candidateTokens: candidate.usage.promptTokens + candidate.usage.completionTokens)
    }

    /// The passages' chunks in rank order, each once.
    static func chunks(_ citations: [Citation]) -> [Int64] {
        var seen = Set<Int64>(), out: [Int64] = []
        for c in citations { for id in c.chunkIDs where seen.insert(id).inserted { out.append(id) } }
        return out
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in 0..<min(a.count, b.count) {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
    }
}

/// The recorder a pipeline gets when the request log or shadow traffic is on: the shadow
/// candidate's own requests are neither logged nor shadowed again.
public final class PipelineRecorder: QueryRecorder {
    let log: (any QueryRecorder)?
    let shadow: ShadowRunner?
    let collection: String
    /// The pipeline the candidate runs on, set once it is built (weak: it holds this recorder).
    private let pipeline = Mutex<WeakService>(WeakService())

    struct WeakService: @unchecked Sendable { weak var service: QueryService? }

    /// The pipeline of the shadow candidate's index version (a replica's), when it names one.
    let shadowService: QueryService?

    public init(log: (any QueryRecorder)?, shadow: ShadowRunner?, collection: String, shadowService: QueryService? = nil) {
        self.log = log
        self.shadow = shadow
        self.collection = collection
        self.shadowService = shadowService
    }

    /// The pipeline this recorder belongs to.
    public func attach(_ service: QueryService) { pipeline.withLock { $0.service = service } }

    public func record(_ answered: AnsweredQuery) {
        guard answered.request.origin.channel != ShadowRunner.channel else { return }
        log?.record(answered)
        if let shadow, let service = shadowService ?? pipeline.withLock({ $0.service }) {
            shadow.offer(answered, collection: collection, service: service)
        }
    }
}
