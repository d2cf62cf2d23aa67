import Logging
import LoreServer
import Metrics
import Prometheus
import Synchronization

/// The process-wide logging and metrics back ends. swift-log's `LoggingSystem` and
/// swift-metrics' `MetricsSystem` can be bootstrapped once per process, so only an executable
/// calls these; tests that run servers in process route telemetry per server instead.
public enum ProcessTelemetry {
    private static let loggingDone = Mutex(false)

    /// Sends logs at `level` (a swift-log level name; unknown names mean `warning`) to standard
    /// error: as text, or as one JSON object per line with `json` (the server). Later calls
    /// are ignored: the first configuration wins.
    public static func bootstrapLogging(level: String, json: Bool = false) {
        let first = loggingDone.withLock { done in
            let first = !done
            done = true
            return first
        }
        guard first else { return }
        let lvl = Logger.Level(rawValue: level) ?? .warning
        if json {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: lvl) }
            return
        }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = lvl
            return h
        }
    }

    /// Makes every metric from here on land in one Prometheus registry, and returns what
    /// `/metrics` shows: the registry in the text exposition format. Call it before anything
    /// makes a metric, and once.
    public static func bootstrapPrometheus() -> @Sendable () -> String {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return { registry.emitToString() }
    }
}
