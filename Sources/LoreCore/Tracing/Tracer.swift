import Foundation
import Synchronization

/// Starts traces and queues their finished spans for an exporter. One per process (or per
/// server in tests); spans find it through their parent, so code below the root needs
/// nothing but `Tracing.current`.
///
/// Sampling is parent-based: a request whose `traceparent` says sampled is traced, one that
/// says not sampled is not; a request without one is traced with probability `sampleRatio`.
/// The queue is bounded: when the exporter falls behind, new spans are dropped and counted,
/// never waited for.
public final class Tracer: Sendable {
    /// `service.name` and the other resource attributes every span is exported with.
    public let resource: [(String, SpanValue)]
    /// The instrumentation scope's name (`lore`).
    public let scope: String
    public let sampleRatio: Double
    public let capacity: Int
    /// Whether spans carry text (the question and the answer as the guardrails left them,
    /// `input.value` and `output.value`); off by default, as the GenAI conventions advise.
    public let captureContent: Bool
    private let queue = Mutex(Queue())

    private struct Queue {
        var spans: [FinishedSpan] = []
        var dropped = 0
        var waiting: CheckedContinuation<Void, Never>? = nil
    }

    public init(
        serviceName: String, resource: [(String, SpanValue)] = [], scope: String = "lore", sampleRatio: Double = 1, capacity: Int = 4096,
        captureContent: Bool = false
    ) {
        self.captureContent = captureContent
        self.resource = [("service.name", .string(serviceName))] + resource.filter { $0.0 != "service.name" }
        self.scope = scope
        self.sampleRatio = sampleRatio
        self.capacity = max(1, capacity)
    }

    /// Starts a root span, or the local root of a trace a caller started (`parent` from its
    /// `traceparent`). Nil when the trace is not sampled.
    public func startSpan(
        _ name: String, kind: SpanKind = .internal, parent: TraceContext? = nil, attributes: [(String, SpanValue)] = []
    ) -> Span? {
        var context: TraceContext
        if let parent {
            guard parent.sampled else { return nil }
            context = parent
            context.spanID = TraceContext.newSpanID()
        } else {
            guard sampleRatio >= 1 || Double.random(in: 0..<1) < sampleRatio else { return nil }
            context = .random()
        }
        return Span(
            name: name, kind: kind, context: context, parentSpanID: parent?.spanID ?? 0, start: Tracing.now(), tracer: self,
            attributes: attributes)
    }

    func enqueue(_ span: FinishedSpan) {
        let waiter: CheckedContinuation<Void, Never>? = queue.withLock { q in
            guard q.spans.count < capacity else {
                q.dropped += 1
                return nil
            }
            q.spans.append(span)
            defer { q.waiting = nil }
            return q.waiting
        }
        waiter?.resume()
    }

    /// Takes up to `max` queued spans, oldest first, and the number dropped since the last call.
    public func drain(max: Int = .max) -> (spans: [FinishedSpan], dropped: Int) {
        queue.withLock { q in
            let n = Swift.min(max, q.spans.count)
            let taken = Array(q.spans.prefix(n))
            q.spans.removeFirst(n)
            defer { q.dropped = 0 }
            return (taken, q.dropped)
        }
    }

    /// The number of spans queued now.
    public var queued: Int { queue.withLock { $0.spans.count } }

    /// Returns when at least one span is queued (at once if one is), or when the task is
    /// cancelled. One waiter at a time (the exporter).
    public func waitForSpans() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now: Bool = queue.withLock { q in
                    if !q.spans.isEmpty || Task.isCancelled { return true }
                    q.waiting = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let waiter = queue.withLock { q in
                defer { q.waiting = nil }
                return q.waiting
            }
            waiter?.resume()
        }
    }
}
