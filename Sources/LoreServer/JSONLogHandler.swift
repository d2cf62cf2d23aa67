import Foundation
import Logging
import LoreCore
import Synchronization

/// A log handler writing one JSON object per line to standard error (or to `output`):
/// `time` (ISO 8601, milliseconds), `level`, `label`, `message`, then the metadata
/// (`request_id` among them) as string fields.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: (@Sendable (String) -> Void)?
    private static let lock = Mutex(())

    /// - Parameter output: where each line (with its line break) goes; nil: standard error.
    public init(
        label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil, output: (@Sendable (String) -> Void)? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = self.metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        let line = Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: all) + "\n"
        if let output { return output(line) }
        Self.lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// One log line's JSON (without the line break).
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"time\":\"" + time.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) + "\""
        func field(_ key: String, _ value: String) {
            out += ","
            JSONValue.writeString(key, to: &out)
            out += ":"
            JSONValue.writeString(value, to: &out)
        }
        field("level", level.rawValue)
        field("label", label)
        field("message", message)
        for key in metadata.keys.sorted() where !["time", "level", "label", "message"].contains(key) {
            field(key, "\(metadata[key]!)")
        }
        return out + "}"
    }
}
