import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a span did: OpenTelemetry's span kinds that Lore uses.
public enum SpanKind: Int, Sendable {
    case `internal` = 1
    case server = 2
    case client = 3
}

/// A span attribute's value (the OTLP `AnyValue`s Lore writes).
public enum SpanValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case strings([String])
}

/// A span's outcome: unset (the default), ok, or an error with its message.
public enum SpanStatus: Sendable, Equatable {
    case unset
    case ok
    case error(String)
}

/// A point in a span's life with a name (`gen_ai.content.first_token`).
public struct SpanEvent: Sendable {
    public var name: String
    public var timeUnixNano: UInt64
    public var attributes: [(String, SpanValue)]
}

/// A span once it has ended: what an exporter sends.
public struct FinishedSpan: Sendable {
    public var name: String
    public var kind: SpanKind
    public var context: TraceContext
    /// The parent's span id; 0 for a root span.
    public var parentSpanID: UInt64
    public var startUnixNano: UInt64
    public var endUnixNano: UInt64
    public var attributes: [(String, SpanValue)]
    public var events: [SpanEvent]
    public var status: SpanStatus

    /// The value of attribute `key`, if set.
    public func attribute(_ key: String) -> SpanValue? { attributes.last { $0.0 == key }?.1 }
}

/// One timed operation of a trace, open until `end()`. Safe to use from any thread; every
/// call after the first `end()` is ignored.
public final class Span: Sendable {
    /// This span's trace context (its trace id and its own span id).
    public let context: TraceContext
    public let parentSpanID: UInt64
    public let kind: SpanKind
    public let startUnixNano: UInt64
    let tracer: Tracer
    private let state: Mutex<State>

    private struct State {
        var name: String
        var attributes: [(String, SpanValue)] = []
        var events: [SpanEvent] = []
        var status: SpanStatus = .unset
        var ended = false
    }

    init(
        name: String, kind: SpanKind, context: TraceContext, parentSpanID: UInt64, start: UInt64, tracer: Tracer,
        attributes: [(String, SpanValue)]
    ) {
        state = Mutex(State(name: name, attributes: attributes))
        self.kind = kind
        self.context = context
        self.parentSpanID = parentSpanID
        self.startUnixNano = start
        self.tracer = tracer
    }

    /// The span's name.
    public var name: String { state.withLock { $0.name } }

    /// Renames the span (a server span once its route is known).
    public func rename(_ name: String) { state.withLock { $0.name = name } }

    /// Sets attribute `key` (a later value replaces an earlier one).
    public func set(_ key: String, _ value: SpanValue) {
        state.withLock { s in
            if let i = s.attributes.firstIndex(where: { $0.0 == key }) {
                s.attributes[i].1 = value
            } else {
                s.attributes.append((key, value))
            }
        }
    }
    public func set(_ key: String, _ value: String) { set(key, .string(value)) }
    public func set(_ key: String, _ value: Int) { set(key, .int(Int64(value))) }
    public func set(_ key: String, _ value: Double) { set(key, .double(value)) }
    public func set(_ key: String, _ value: Bool) { set(key, .bool(value)) }

    /// Sets `key` to `text` when the tracer captures content (`tracing.capture_content`);
    /// pass only text the guardrails have redacted.
    public func setContent(_ key: String, _ text: @autoclosure () -> String) {
        if tracer.captureContent { set(key, .string(text())) }
    }

    /// Records a named point in time (now, unless `at` is given).
    public func addEvent(_ name: String, at time: UInt64 = Tracing.now(), attributes: [(String, SpanValue)] = []) {
        state.withLock { $0.events.append(SpanEvent(name: name, timeUnixNano: time, attributes: attributes)) }
    }

    /// Marks the span failed with `error`'s description (and records it as an `exception` event).
    public func fail(_ error: any Error) { fail(String(describing: error), type: String(describing: type(of: error))) }

    /// Marks the span failed with `message`.
    public func fail(_ message: String, type: String = "error") {
        state.withLock { s in
            s.status = .error(message)
            s.events.append(
                SpanEvent(
                    name: "exception", timeUnixNano: Tracing.now(),
                    attributes: [("exception.type", .string(type)), ("exception.message", .string(message))]))
        }
    }

    /// Marks the span ok, unless it failed.
    public func succeed() { state.withLock { s in if case .unset = s.status { s.status = .ok } } }

    /// Ends the span (now, unless `at` is given) and hands it to its tracer's queue.
    public func end(at time: UInt64 = Tracing.now()) {
        let finished: FinishedSpan? = state.withLock { s in
            guard !s.ended else { return nil }
            s.ended = true
            return FinishedSpan(
                name: s.name, kind: kind, context: context, parentSpanID: parentSpanID, startUnixNano: startUnixNano,
                endUnixNano: max(time, startUnixNano), attributes: s.attributes, events: s.events, status: s.status)
        }
        if let finished { tracer.enqueue(finished) }
    }

    /// A child span of this one, started now (or at `start`); the caller ends it.
    public func child(_ name: String, kind: SpanKind = .internal, start: UInt64? = nil, attributes: [(String, SpanValue)] = []) -> Span {
        var c = context
        c.spanID = TraceContext.newSpanID()
        return Span(
            name: name, kind: kind, context: c, parentSpanID: context.spanID, start: start ?? Tracing.now(), tracer: tracer,
            attributes: attributes)
    }
}

/// The task-local current span, and spans around code. Everything here costs one task-local
/// read when the request is not traced (tracing off, or not sampled).
public enum Tracing {
    /// The span of the code running now (set by `withSpan`, the server and the query service).
    @TaskLocal public static var current: Span?

    /// The time now in nanoseconds since 1970 (what OTLP timestamps are).
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Runs `body` in a child span of the current one, ended when `body` returns (failed when
    /// it throws); without a current span, just runs `body` with nil.
    public static func withSpan<T>(
        _ name: String, kind: SpanKind = .internal, attributes: [(String, SpanValue)] = [], _ body: (Span?) async throws -> T
    ) async rethrows -> T {
        guard let parent = current else { return try await body(nil) }
        return try await run(parent.child(name, kind: kind, attributes: attributes), body)
    }

    /// Runs `body` with `span` as the current span, then ends it (failed when `body` throws).
    public static func run<T>(_ span: Span, _ body: (Span?) async throws -> T) async rethrows -> T {
        do {
            let result = try await $current.withValue(span) { try await body(span) }
            span.end()
            return result
        } catch {
            if error is CancellationError { span.fail("cancelled", type: "CancellationError") } else { span.fail(error) }
            span.end()
            throw error
        }
    }

    /// An `embed` leaf span for embedding with `model` (the GenAI conventions' `embeddings`
    /// operation); nil without a current span.
    public static func beginEmbedding(model: String) -> Span? {
        begin("embed", attributes: [("gen_ai.operation.name", .string("embeddings")), ("gen_ai.request.model", .string(model))])
    }

    /// A child span of the current one, started now; nil without a current span. For a leaf
    /// (nothing runs inside it) that ends on another thread or later: the caller ends it.
    public static func begin(_ name: String, kind: SpanKind = .internal, attributes: [(String, SpanValue)] = []) -> Span? {
        current?.child(name, kind: kind, attributes: attributes)
    }
}
