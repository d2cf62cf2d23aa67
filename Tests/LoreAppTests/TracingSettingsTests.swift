import Foundation
import LoreApp
import LoreCore
import LoreTestSupport
import Testing

/// `tracing:` read from the configuration, and the exporter when the collector is away.
@Suite("tracing settings and export failures")
struct TracingSettingsTests {
    @Test("the endpoint gets /v1/traces unless it names it; headers are NAME=VALUE pairs, percent-decoded; off without an endpoint")
    func settings() throws {
        var t = TracingSettings()
        #expect(!t.enabled && t.tracesURL == nil && t.tracer(version: "1") == nil)
        t.endpoint = "http://127.0.0.1:6006/"
        #expect(t.tracesURL == "http://127.0.0.1:6006/v1/traces")
        t.endpoint = "https://collector.example/v1/traces"
        #expect(t.tracesURL == "https://collector.example/v1/traces")
        t.headers = "authorization=Basic%20abc, x-team = search"
        let headers = try t.parsedHeaders()
        #expect(headers.map(\.0) == ["authorization", "x-team"] && headers.map(\.1) == ["Basic abc", "search"])
        let tracer = try #require(t.tracer(version: "9"))
        #expect(tracer.resource.first?.1 == .string("lore") && !tracer.captureContent)
        t.endpoint = "none"
        #expect(!t.enabled)
    }

    @Test("a collector that refuses connections costs the spans, not an error: flush returns, nothing sent, the queue empty")
    func refusedCollector() async throws {
        let tracer = Tracer(serviceName: "t")
        for i in 0..<3 { tracer.startSpan("s\(i)")?.end() }
        let exporter = OTLPTraceExporter(
            tracer: tracer, url: "http://127.0.0.1:\(ServerProcess.refusingPort())/v1/traces", batch: 2, timeout: .seconds(5))
        let sent = await exporter.flush()
        #expect(sent == 0 && tracer.queued == 0)
    }
}
