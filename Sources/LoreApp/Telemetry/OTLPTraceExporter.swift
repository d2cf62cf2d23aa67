import AsyncHTTPClient
import Foundation
import Logging
import LoreCore
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization

/// Sends a tracer's finished spans to an OpenTelemetry collector over OTLP/HTTP, protobuf
/// encoded (`POST …/v1/traces`, `Content-Type: application/x-protobuf`), as a service of
/// `lore serve`'s service group.
///
/// It waits for the first span, lets more gather for `linger`, then sends everything queued
/// in requests of at most `batch` spans; requests never wait on it (the tracer's queue is
/// bounded and drops when full). On shutdown it sends what is left once the server has
/// drained. A failed export is logged (at most once a minute) and its spans counted as
/// failed, not retried: a collector that is down costs spans, never requests.
///
/// Metrics: `lore_trace_spans_total{outcome="exported|dropped|failed"}` and
/// `lore_trace_export_seconds`.
public final class OTLPTraceExporter: Service, Sendable {
    public let tracer: Tracer
    public let url: String
    let headers: [(String, String)]
    let batch: Int
    let timeout: Duration
    let linger: Duration
    let version: String
    let logger = Logger(label: "lore.tracing")
    private let lastWarning = Mutex<Date?>(nil)

    public init(
        tracer: Tracer, url: String, headers: [(String, String)] = [], batch: Int = 512, timeout: Duration = .seconds(10),
        linger: Duration = .milliseconds(200), version: String = ""
    ) {
        self.tracer = tracer
        self.url = url
        self.headers = headers
        self.batch = max(1, batch)
        self.timeout = timeout
        self.linger = linger
        self.version = version
    }

    /// Exports until the service group shuts down, then once more for what is left.
    public func run() async throws {
        logger.info("exporting traces", metadata: ["url": "\(url)", "sample": "\(tracer.sampleRatio)"])
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.tracer.waitForSpans()
                if Task.isCancelled { break }
                try? await Task.sleep(for: self.linger)
                await self.flush()
            }
        }
        await flush()
    }

    /// Sends every span queued now (in batches), returning the number sent.
    @discardableResult
    public func flush() async -> Int {
        var sent = 0
        while true {
            let (spans, dropped) = tracer.drain(max: batch)
            if dropped > 0 { Counter(label: "lore_trace_spans_total", dimensions: [("outcome", "dropped")]).increment(by: dropped) }
            if spans.isEmpty { return sent }
            let started = ContinuousClock.now
            do {
                try await send(spans)
                sent += spans.count
                Counter(label: "lore_trace_spans_total", dimensions: [("outcome", "exported")]).increment(by: spans.count)
            } catch {
                Counter(label: "lore_trace_spans_total", dimensions: [("outcome", "failed")]).increment(by: spans.count)
                warnThrottled("trace export failed", error: "\(error)", spans: spans.count)
            }
            Timer(label: "lore_trace_export_seconds").recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        }
    }

    func send(_ spans: [FinishedSpan]) async throws {
        let body = OTLPEncoding.exportRequest(spans, resource: tracer.resource, scope: tracer.scope, version: version)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.headers.add(name: "User-Agent", value: "lore/\(version)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        let text = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw ExportError(
                description: "\(url) answered \(response.status.code): \(String(buffer: text).prefix(200))")
        }
    }

    private func warnThrottled(_ message: Logger.Message, error: String, spans: Int) {
        let now = Date()
        let due = lastWarning.withLock { last in
            guard last.map({ now.timeIntervalSince($0) >= 60 }) ?? true else { return false }
            last = now
            return true
        }
        if due { logger.warning(message, metadata: ["url": "\(url)", "error": "\(error)", "spans": "\(spans)"]) }
    }

    struct ExportError: Error, CustomStringConvertible { let description: String }
}
