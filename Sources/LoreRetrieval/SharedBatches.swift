import Foundation
import LoreCore
import Metrics
import Synchronization

/// Requests in flight share the encoder's batches, as text-embeddings-inference and Triton
/// batch: a call joins the queue, and whenever one of `concurrent` batch slots is free it
/// takes the waiting calls (whole calls, up to `maxTexts` texts) as one batch. A lone call
/// on an idle server starts at once (no timer: a slot is free); under load the calls that
/// arrive while the slots are busy go together into the next batch, so the encoder's
/// batched throughput serves concurrent questions.
///
/// `maxWait` > 0 holds a batch that is not full for up to that long, waiting for company,
/// even when a slot is free (more throughput, more latency); 0 never holds one.
///
/// Each batch runs `SynchronousEmbedder.embedSync` on a thread of its own, with the cores
/// divided among the batches running when it starts (a lone batch gets them all, as a lone
/// question did before).
/// Background work (the shadow candidate, on `BackgroundExecutor`) bypasses the batches and
/// keeps to its own thread. A caller that goes away (a client disconnects) leaves its batch
/// to finish; the others in it get their vectors.
///
/// Under a flood the calls wait in the queue, in order of arrival, so none is starved, and
/// the queue holds only their texts (which their requests hold anyway): the encoder's own
/// memory is bounded by `concurrent` batches of `maxTexts` texts (a larger single call is
/// the one exception: it is a batch of its own, and `MiniLMEmbedder` cuts it into batches).
///
/// Metrics: `lore_embed_batch_texts` (a histogram of texts per shared batch) and
/// `lore_embed_batch_queue_texts` (texts waiting, a gauge).
public final class SharedBatches: EmbedderWrapper, @unchecked Sendable {
    /// The model.
    public let base: any SynchronousEmbedder
    /// The most texts in one shared batch (a larger call is a batch of its own).
    public let maxTexts: Int
    /// How long a batch that is not full may wait for more calls.
    public let maxWait: Duration
    /// Batches that run at once.
    public let concurrent: Int

    public var wrapped: any Embedder { base }
    public var modelID: String { base.modelID }
    public var dimension: Int { base.dimension }

    struct Waiting {
        var texts: [String]
        var since: ContinuousClock.Instant
        var continuation: CheckedContinuation<[[Float]], Never>
    }
    struct State {
        var queue: [Waiting] = []
        var queuedTexts = 0
        var running = 0
        /// Whether a timer is set to start a held batch.
        var timerSet = false
        /// Batches started so far.
        var started = 0
        /// The most batches that ran at once, and the most texts in one.
        var peakRunning = 0
        var largest = 0
    }
    private let state = Mutex(State())

    public init(
        _ base: any SynchronousEmbedder, maxTexts: Int = 32, maxWait: Duration = .zero,
        concurrent: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.base = base
        self.maxTexts = max(1, maxTexts)
        self.maxWait = max(.zero, maxWait)
        self.concurrent = max(1, concurrent)
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        if texts.isEmpty { return [] }
        if BackgroundExecutor.preferred != nil { return try await base.embed(texts) }
        return await withCheckedContinuation { continuation in
            let batches = state.withLock { s -> [Batch] in
                s.queue.append(Waiting(texts: texts, since: .now, continuation: continuation))
                s.queuedTexts += texts.count
                return takeBatches(&s)
            }
            start(batches)
        }
    }

    /// Takes the batches that may start now (under the lock): one per free slot, each the
    /// longest-waiting calls up to `maxTexts` texts; a batch that is not full waits while
    /// its first call has waited less than `maxWait` (a timer is set to look again).
    private func takeBatches(_ s: inout State) -> [Batch] {
        var out: [[Waiting]] = []
        while s.running < concurrent, !s.queue.isEmpty {
            var count = 0, n = 0
            while n < s.queue.count, n == 0 || count + s.queue[n].texts.count <= maxTexts {
                count += s.queue[n].texts.count
                n += 1
            }
            if maxWait > .zero, count < maxTexts, ContinuousClock.now - s.queue[0].since < maxWait {
                if !s.timerSet {
                    s.timerSet = true
                    let delay = maxWait - (ContinuousClock.now - s.queue[0].since)
                    DispatchQueue.global(qos: .userInitiated).asyncAfter(deadline: .now() + delay.seconds) { [self] in
                        let batches = state.withLock { s -> [Batch] in
                            s.timerSet = false
                            return takeBatches(&s)
                        }
                        start(batches)
                    }
                }
                break
            }
            out.append(Array(s.queue[0..<n]))
            s.queue.removeFirst(n)
            s.queuedTexts -= count
            s.running += 1
            s.started += 1
            s.peakRunning = max(s.peakRunning, s.running)
            s.largest = max(s.largest, count)
        }
        Gauge(label: "lore_embed_batch_queue_texts").record(Double(s.queuedTexts))
        let threads = max(1, base.parallelism / max(1, s.running))
        return out.map { Batch(calls: $0, threads: threads) }
    }

    /// Calls embedded together, and the threads their batch may use.
    struct Batch {
        var calls: [Waiting]
        var threads: Int
    }

    /// Shared batches started so far (calls embedded outside the batches not counted).
    public var batchesStarted: Int { state.withLock { $0.started } }

    /// The most batches that have run at once, and the most texts one batch has held.
    public var peaks: (running: Int, texts: Int) { state.withLock { ($0.peakRunning, $0.largest) } }

    /// Texts waiting for a batch now.
    public var queuedTexts: Int { state.withLock { $0.queuedTexts } }

    /// Runs each batch on a thread of the global pool, hands each call its vectors, and
    /// takes the next batches when a slot frees.
    private func start(_ batches: [Batch]) {
        for batch in batches {
            DispatchQueue.global(qos: .userInitiated).async { [self] in
                let texts = batch.calls.flatMap(\.texts)
                Recorder(label: "lore_embed_batch_texts").record(texts.count)
                let vectors = base.embedSync(texts, parallelism: batch.threads)
                var offset = 0
                for call in batch.calls {
                    call.continuation.resume(returning: Array(vectors[offset..<offset + call.texts.count]))
                    offset += call.texts.count
                }
                let next = state.withLock { s -> [Batch] in
                    s.running -= 1
                    return takeBatches(&s)
                }
                start(next)
            }
        }
    }
}
