import CoreMetrics
import Foundation
import Logging
import LoreServer
import Prometheus
import Synchronization

/// Metrics and logs of the servers running in this test process, kept apart per server as
/// separate `lore serve` processes keep them: the process-wide factories (bootstrapped once)
/// hand each metric and log line to the registry and log of the server whose task made it,
/// read from task-locals that `LoreServe` sets around the server's task (its connections'
/// tasks inherit them). Outside a server, metrics are dropped and logs go where swift-log's
/// default sends them (standard output, info and above).
enum ServerTelemetry {
    /// The registry of the server whose task this is.
    @TaskLocal static var registry: PrometheusCollectorRegistry?
    /// The log of the server whose task this is.
    @TaskLocal static var log: LogSink?

    private static let once: Void = {
        MetricsSystem.bootstrap(RoutingMetricsFactory())
        LoggingSystem.bootstrap { label in RoutingLogHandler(label: label) }
    }()

    /// Installs the routing factories (once per process).
    static func bootstrap() { _ = once }
}

/// A server's log file: JSON lines, as `lore serve` writes them to standard error.
final class LogSink: Sendable {
    let level: Logger.Level
    private let handle: Mutex<FileHandle?>

    init(path: String, level: Logger.Level) {
        self.level = level
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        self.handle = Mutex(handle)
    }

    func write(_ line: String) {
        handle.withLock { $0?.write(Data(line.utf8)) }
    }
}

/// Makes each metric in the registry of the server whose task asks for it.
struct RoutingMetricsFactory: MetricsFactory {
    private var target: any MetricsFactory {
        ServerTelemetry.registry.map { PrometheusMetricsFactory(registry: $0) } ?? NOOPMetricsHandler.instance
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        target.makeCounter(label: label, dimensions: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        target.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        target.makeMeter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        target.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        target.makeTimer(label: label, dimensions: dimensions)
    }

    // The registries keep what they made; nothing to release.
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

/// Writes each log line to the log of the server whose task logs it, as `lore serve`'s
/// `JSONLogHandler` does, at that server's level.
struct RoutingLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// Every level reaches `log(event:)`, which filters by the server's level.
    var logLevel: Logger.Level = .trace

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard let sink = ServerTelemetry.log else {
            guard event.level >= .info else { return }
            var fallback = StreamLogHandler.standardOutput(label: label)
            fallback.metadata = metadata
            fallback.log(event: event)
            return
        }
        guard event.level >= sink.level else { return }
        var handler = JSONLogHandler(label: label, level: sink.level, metadataProvider: metadataProvider, output: sink.write)
        handler.metadata = metadata
        handler.log(event: event)
    }
}
