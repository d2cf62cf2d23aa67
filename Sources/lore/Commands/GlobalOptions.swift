import ArgumentParser
import Foundation
import LoreApp

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Default: $LORE_CONFIG, else ./lore.yaml if present.")
    var config: String?

    @Option(name: .long, help: "The SQLite database file. Default: lore.db (configuration: database).")
    var db: String?

    /// The effective configuration: the file, the environment, then `--db` and the
    /// command's `flags` (settings by key). Logs go to standard error as text, or as one
    /// JSON object per line with `jsonLogs` (the server).
    func configuration(jsonLogs: Bool = false, flags: [String: SettingValue] = [:]) throws -> LoreConfiguration {
        var all = flags
        if let db { all["database"] = .string(db) }
        let (c, _) = try LoreConfiguration.load(file: config, flags: all)
        ProcessTelemetry.bootstrapLogging(level: c.logLevel, json: jsonLogs)
        return c
    }

    /// The effective configuration with the embedder flags applied too.
    func configuration(_ embedding: EmbedderOptions, jsonLogs: Bool = false, flags: [String: SettingValue] = [:]) throws
        -> LoreConfiguration
    {
        try configuration(jsonLogs: jsonLogs, flags: flags.merging(embedding.flags) { mine, _ in mine })
    }
}
