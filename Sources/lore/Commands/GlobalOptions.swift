import ArgumentParser
import Foundation
import Logging
import LoreApp
import LoreServer

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
        LoggingSetup.bootstrap(level: c.logLevel, json: jsonLogs)
        return c
    }

    /// The effective configuration with the embedder flags applied too.
    func configuration(_ embedding: EmbedderOptions, jsonLogs: Bool = false) throws -> LoreConfiguration {
        var c = try configuration(jsonLogs: jsonLogs)
        try embedding.apply(to: &c)
        return c
    }
}

/// Logging is bootstrapped once, by the executable only.
enum LoggingSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: String, json: Bool = false) {
        guard !done else { return }
        done = true
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
}
