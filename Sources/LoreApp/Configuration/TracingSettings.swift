import Foundation
import LoreCore

/// OpenTelemetry traces (`tracing:` in the configuration): a span per request of
/// `lore serve` and per pipeline stage, exported over OTLP/HTTP (protobuf) to a collector
/// (Phoenix, Jaeger, an OpenTelemetry Collector, Langfuse). Off while no endpoint is set.
///
/// ```yaml
/// tracing:
///   endpoint: http://127.0.0.1:6006     # the collector; /v1/traces is added unless the URL names it
///   service_name: lore
///   sample: 1.0              # the share of requests without a traceparent that are traced
///   capture_content: false   # true: spans carry the redacted question and answer
///   headers: "authorization=Basic abc"   # sent with every export (OTEL_EXPORTER_OTLP_HEADERS' format)
///   queue: 4096              # finished spans waiting for export; when full, new ones are dropped and counted
///   batch: 512               # spans per export request
///   timeout_s: 10            # per export request
/// ```
public struct TracingSettings: Codable, Equatable, Sendable {
    public var endpoint: String?
    public var serviceName = "lore"
    public var sample = 1.0
    public var captureContent = false
    public var headers: String?
    public var queue = 4096
    public var batch = 512
    public var timeoutSeconds = 10.0

    public enum CodingKeys: String, CodingKey {
        case endpoint, serviceName = "service_name", sample, captureContent = "capture_content", headers, queue, batch
        case timeoutSeconds = "timeout_s"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint)
        serviceName = try c.decodeIfPresent(String.self, forKey: .serviceName) ?? d.serviceName
        sample = try c.decodeIfPresent(Double.self, forKey: .sample) ?? d.sample
        captureContent = try c.decodeIfPresent(Bool.self, forKey: .captureContent) ?? d.captureContent
        headers = try c.decodeIfPresent(String.self, forKey: .headers)
        queue = try c.decodeIfPresent(Int.self, forKey: .queue) ?? d.queue
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? d.batch
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? d.timeoutSeconds
    }

    /// Whether traces are exported.
    public var enabled: Bool { endpoint.map { !$0.isEmpty && $0 != "none" } ?? false }

    /// The URL spans are posted to: the endpoint, with `/v1/traces` added unless it ends so.
    public var tracesURL: String? {
        guard enabled, var url = endpoint else { return nil }
        while url.hasSuffix("/") { url.removeLast() }
        return url.hasSuffix("/v1/traces") ? url : url + "/v1/traces"
    }

    /// The export headers, parsed from `k=v,k2=v2` (values may be percent-encoded).
    public func parsedHeaders() throws -> [(String, String)] {
        guard let headers, !headers.isEmpty else { return [] }
        return try headers.split(separator: ",").map { pair in
            guard let eq = pair.firstIndex(of: "=") else {
                throw ConfigurationError(description: "tracing.headers: \(pair.prefix(40)) is not NAME=VALUE")
            }
            let name = pair[..<eq].trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != 0x3A }) else {
                throw ConfigurationError(description: "tracing.headers: \(name.prefix(40)) is not a header name")
            }
            return (name, value.removingPercentEncoding ?? value)
        }
    }

    /// Refuses a bad endpoint, share, size or header list, naming the key.
    public func validate() throws {
        if let url = tracesURL {
            guard let u = URL(string: url), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil else {
                throw ConfigurationError(description: "tracing.endpoint: \(endpoint ?? "") is not an http:// or https:// URL")
            }
        }
        guard (0...1).contains(sample) else { throw ConfigurationError(description: "tracing.sample must be from 0 to 1, not \(sample)") }
        guard queue > 0 else { throw ConfigurationError(description: "tracing.queue must be above 0, not \(queue)") }
        guard batch > 0 else { throw ConfigurationError(description: "tracing.batch must be above 0, not \(batch)") }
        guard timeoutSeconds > 0 else { throw ConfigurationError(description: "tracing.timeout_s must be above 0, not \(timeoutSeconds)") }
        guard !serviceName.isEmpty else { throw ConfigurationError(description: "tracing.service_name must not be empty") }
        _ = try parsedHeaders()
    }

    /// The tracer these settings describe; nil when tracing is off.
    public func tracer(version: String) -> Tracer? {
        guard enabled else { return nil }
        return Tracer(
            serviceName: serviceName, resource: [("service.version", .string(version)), ("telemetry.sdk.name", .string("lore"))],
            sampleRatio: sample, capacity: queue, captureContent: captureContent)
    }
}
