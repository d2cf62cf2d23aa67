import ArgumentParser
import Foundation
import LoreApp

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Default: $LORE_CONFIG, else ./lore.yaml if present.")
    var config: String?

    @Option(name: .long, help: "The SQLite database file. Default: lore.db (configuration: database).")
    var db: String?

    /// The effective configuration, with `--db` applied. Logs go to standard error as
    /// text, or as one JSON object per line with `jsonLogs` (the server).
    func configuration(jsonLogs: Bool = false) throws -> LoreConfiguration {
        var (c, _) = try LoreConfiguration.load(file: config)
        if let db { c.database = db }
        ProcessTelemetry.bootstrapLogging(level: c.logLevel, json: jsonLogs)
        return c
    }

    /// The effective configuration with the embedder flags applied too.
    func configuration(_ embedding: EmbedderOptions, jsonLogs: Bool = false) throws -> LoreConfiguration {
        var c = try configuration(jsonLogs: jsonLogs)
        try embedding.apply(to: &c)
        return c
    }
}
