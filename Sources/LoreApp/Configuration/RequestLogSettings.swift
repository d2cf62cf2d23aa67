import Foundation
import LoreOps

/// The request log (`request_log:` in the configuration): every answered request of
/// `lore serve`, `lore query` and `lore chat`, its question and answer redacted.
///
/// ```yaml
/// request_log:
///   enabled: true          # false: nothing is recorded, and POST /v1/feedback is not served
///   database: logs.db      # default: the store (database); a replica of published versions needs one
///   retention_days: 30     # delete older requests (0: keep them whatever their age)
///   max_rows: 1000000      # keep at most this many, deleting the oldest (0: no limit)
///   prune_interval_s: 60   # how often retention runs, on the log's own thread
/// ```
public struct RequestLogSettings: Codable, Equatable, Sendable {
    public var enabled = true
    /// Another SQLite file for the log; nil: the store itself.
    public var database: String?
    public var retentionDays = 30.0
    public var maxRows = 1_000_000
    public var pruneIntervalSeconds = 60.0

    public enum CodingKeys: String, CodingKey {
        case enabled, database, retentionDays = "retention_days", maxRows = "max_rows", pruneIntervalSeconds = "prune_interval_s"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        database = try c.decodeIfPresent(String.self, forKey: .database)
        retentionDays = try c.decodeIfPresent(Double.self, forKey: .retentionDays) ?? d.retentionDays
        maxRows = try c.decodeIfPresent(Int.self, forKey: .maxRows) ?? d.maxRows
        pruneIntervalSeconds = try c.decodeIfPresent(Double.self, forKey: .pruneIntervalSeconds) ?? d.pruneIntervalSeconds
    }

    /// Refuses negative limits and intervals, naming the key.
    public func validate() throws {
        if retentionDays < 0 { throw ConfigurationError(description: "request_log.retention_days must be 0 or more, not \(retentionDays)") }
        if maxRows < 0 { throw ConfigurationError(description: "request_log.max_rows must be 0 or more, not \(maxRows)") }
        if !(pruneIntervalSeconds > 0) {
            throw ConfigurationError(description: "request_log.prune_interval_s must be above 0, not \(pruneIntervalSeconds)")
        }
    }

    /// The writer's settings.
    public var writer: RequestLog.Settings {
        var s = RequestLog.Settings(retentionDays: retentionDays > 0 ? retentionDays : nil, maxRows: maxRows > 0 ? maxRows : nil)
        s.pruneInterval = pruneIntervalSeconds
        return s
    }
}

extension LoreConfiguration {
    /// The file the request log goes to: `request_log.database`, else the store unless the
    /// store is read-only (a published version). Nil: no request log.
    public func requestLogPath(storeIsReadOnly: Bool) -> String? {
        guard requestLog.enabled else { return nil }
        if let database = requestLog.database, !database.isEmpty { return database }
        return storeIsReadOnly ? nil : database
    }

    /// Opens the request log the configuration asks for (nil when it is off, or on a
    /// replica without `request_log.database`).
    public func openRequestLog(storeIsReadOnly: Bool) throws -> RequestLog? {
        try requestLog.validate()
        guard let path = requestLogPath(storeIsReadOnly: storeIsReadOnly) else { return nil }
        do { return try RequestLog(path: path, settings: requestLog.writer) } catch {
            throw CommandFailure(description: "request_log: cannot open \(path): \(error)")
        }
    }
}
