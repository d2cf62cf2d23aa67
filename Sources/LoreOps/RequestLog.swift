import Foundation
import Logging
import LoreCore
import LoreGuardrails
import LoreQuery
import LoreStore
import Metrics

/// The request log's writer: answered requests are queued by the request's task (a
/// constant-time append under a lock) and written to the store in batches by a thread of
/// its own, which also enforces retention. Nothing in the request path waits on SQLite.
///
/// Questions, standalone questions and answers are redacted here (every PII kind, whatever
/// the guardrail policy says), so the log never holds raw personal data. A full queue drops
/// the request and counts it (`lore_request_log_dropped_total`); a failed write is logged
/// and counted (`lore_request_log_errors_total`), never thrown.
public final class RequestLog: @unchecked Sendable {
    /// The request log's settings (`request_log:` in the configuration).
    public struct Settings: Sendable, Equatable {
        /// Delete requests older than this many days (nil: never by age).
        public var retentionDays: Double?
        /// Keep at most this many requests, deleting the oldest (nil: no limit).
        public var maxRows: Int?
        /// Seconds between retention passes.
        public var pruneInterval: Double = 60
        /// How long a request may wait in the queue for others to share its transaction.
        public var flushInterval: Double = 0.2
        /// Requests the queue holds before it drops new ones.
        public var queueLimit = 10_000

        public init(retentionDays: Double? = 30, maxRows: Int? = 1_000_000) {
            self.retentionDays = retentionDays
            self.maxRows = maxRows
        }
    }

    public let path: String
    public let settings: Settings
    private let store: Store
    private let redactor = PIIDetector()
    private let logger: Logger
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [(AnsweredQuery, RequestContext)] = []
    private var firstPendingAt: Date?
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []
    private var stopping = false
    /// Set by the writer, under the lock, as it ends: no waiter is resumed after this.
    private var finished = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    /// What the request log adds to each request beyond the pipeline's view of it.
    public struct RequestContext: Sendable {
        public var collection: String
        public var indexVersion: String?
        public init(collection: String, indexVersion: String? = nil) {
            self.collection = collection
            self.indexVersion = indexVersion
        }
    }

    /// Opens (creating when needed) the store at `path` on a connection of its own, and
    /// starts the writer thread. Call `close()` when done: it writes what is queued and ends
    /// the thread.
    public init(path: String, settings: Settings, logger: Logger = Logger(label: "lore.requests")) throws {
        self.path = path
        self.settings = settings
        self.logger = logger
        store = try Store(path: path)
        // The thread holds the log until `close()` ends it.
        let thread = Thread { self.loop() }
        thread.name = "lore-request-log"
        self.thread = thread
        thread.start()
    }

    /// A recorder for one collection's pipeline.
    public func recorder(collection: String, indexVersion: String? = nil) -> any QueryRecorder {
        CollectionRecorder(log: self, context: RequestContext(collection: collection, indexVersion: indexVersion))
    }

    /// Queues one answered request.
    public func enqueue(_ answered: AnsweredQuery, context: RequestContext) {
        condition.lock()
        guard !stopping, pending.count < settings.queueLimit else {
            condition.unlock()
            Counter(label: "lore_request_log_dropped_total").increment()
            return
        }
        if pending.isEmpty { firstPendingAt = Date() }
        pending.append((answered, context))
        if pending.count == 1 || pending.count >= 256 { condition.signal() }
        condition.unlock()
    }

    /// Returns once every request queued before the call is written.
    public func flush() async {
        await withCheckedContinuation { continuation in
            condition.lock()
            // The writer has ended (after `close()`): nothing queued is left.
            if finished {
                condition.unlock()
                continuation.resume()
                return
            }
            flushWaiters.append(continuation)
            condition.signal()
            condition.unlock()
        }
    }

    /// Writes what is queued and stops the writer thread (blocks until it has).
    public func close() {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            return
        }
        stopping = true
        condition.signal()
        condition.unlock()
        done.wait()
        condition.lock()
        thread = nil
        condition.unlock()
    }

    /// Runs one retention pass now, on the caller's thread (`lore requests prune`).
    @discardableResult
    public static func prune(_ store: Store, settings: Settings, now: Date = Date()) throws -> Int {
        let olderThan = settings.retentionDays.map { now.timeIntervalSince1970 - $0 * 86_400 }
        return try store.pruneRequests(olderThan: olderThan, keepRows: settings.maxRows)
    }

    // MARK: The writer thread

    private func loop() {
        // Background work: below the request threads in the scheduler (on Linux the nice
        // value is per thread, and `who` 0 is the calling thread), so that on a busy machine
        // writing the log takes cores' idle time, not a request's.
        #if canImport(Glibc)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
        var nextPrune = Date()
        while true {
            condition.lock()
            while true {
                if stopping || !flushWaiters.isEmpty || pending.count >= 256 { break }
                let now = Date()
                if now >= nextPrune { break }
                var wake = nextPrune
                if let first = firstPendingAt {
                    let due = first.addingTimeInterval(settings.flushInterval)
                    if now >= due { break }
                    wake = min(wake, due)
                }
                _ = condition.wait(until: wake)
            }
            let batch = pending
            pending = []
            firstPendingAt = nil
            let waiters = flushWaiters
            flushWaiters = []
            let stop = stopping
            condition.unlock()

            write(batch)
            for w in waiters { w.resume() }
            if Date() >= nextPrune {
                runRetention()
                nextPrune = Date().addingTimeInterval(settings.pruneInterval)
            }
            if stop {
                // Requests queued after the last batch was taken were refused (`stopping`).
                condition.lock()
                let late = flushWaiters
                flushWaiters = []
                finished = true
                condition.unlock()
                for w in late { w.resume() }
                done.signal()
                return
            }
        }
    }

    private func write(_ batch: [(AnsweredQuery, RequestContext)]) {
        guard !batch.isEmpty else { return }
        let records = batch.map { record($0.0, $0.1) }
        do {
            try store.appendRequests(records)
            Counter(label: "lore_request_log_written_total").increment(by: records.count)
        } catch {
            Counter(label: "lore_request_log_errors_total").increment()
            logger.error("could not write the request log", metadata: ["error": "\(error)", "requests": "\(records.count)"])
        }
    }

    private func runRetention() {
        guard settings.retentionDays != nil || settings.maxRows != nil else { return }
        do {
            let deleted = try Self.prune(store, settings: settings)
            if deleted > 0 {
                Counter(label: "lore_request_log_pruned_total").increment(by: deleted)
                logger.info("request log retention", metadata: ["deleted": "\(deleted)"])
            }
        } catch {
            Counter(label: "lore_request_log_errors_total").increment()
            logger.error("request log retention failed", metadata: ["error": "\(error)"])
        }
    }

    /// The row for one request: texts redacted, the cited sources and their chunks.
    func record(_ a: AnsweredQuery, _ context: RequestContext) -> RequestRecord {
        let r = a.response
        let cited = r.citations.filter(\.cited)
        let o = a.request.retrieval
        var retrieval: [String: String] = [
            "mode": o.mode.rawValue, "k": "\(o.k)", "fetch_k": "\(o.fetchK)", "mmr": "\(o.mmr)", "lambda": "\(o.lambda)",
            "min_relevance": "\(o.minRelevance)"
        ]
        if let ef = o.efSearch { retrieval["ef_search"] = "\(ef)" }
        var timings: [String: Double] = [
            "condense": r.timingsMs.condense, "embed": r.timingsMs.embed, "retrieve": r.timingsMs.retrieve,
            "generate": r.timingsMs.generate, "guardrails": r.timingsMs.guardrails, "total": r.timingsMs.total
        ]
        if let ttft = r.timingsMs.firstToken { timings["first_token"] = ttft }
        return RequestRecord(
            id: r.requestID, collection: context.collection, indexVersion: context.indexVersion, keyID: a.request.origin.keyID,
            channel: a.request.origin.channel, conversationID: r.conversationID, promptName: r.prompt.name,
            promptVersion: r.prompt.version, promptHash: r.prompt.hash, backend: r.backend, model: r.model, retrieval: retrieval,
            question: redact(a.guardedQuestion), standaloneQuestion: redact(r.standaloneQuestion), answer: redact(r.answer),
            retrievedChunks: a.retrievedChunks, citedChunks: cited.flatMap(\.chunkIDs), citedSources: cited.map(\.source),
            finishReason: r.finishReason, refused: r.refused, timings: timings, promptTokens: r.usage.promptTokens,
            completionTokens: r.usage.completionTokens, cost: r.usage.cost, traceID: a.request.origin.traceID,
            variant: a.request.origin.arm)
    }

    /// `text` with every kind of personal data and secret replaced by its placeholder.
    public func redact(_ text: String) -> String { redactor.redact(text).text }
}

/// Records one collection's requests into the log.
struct CollectionRecorder: QueryRecorder {
    let log: RequestLog
    let context: RequestLog.RequestContext

    func record(_ answered: AnsweredQuery) { log.enqueue(answered, context: context) }
}
