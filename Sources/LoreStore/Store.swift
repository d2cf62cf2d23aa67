import CSQLite
import Foundation
import Logging
import LoreCore

/// Why the store refused an operation.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Lore's system of record: one SQLite file in WAL mode holding collections, documents,
/// chunks, vectors, the FTS5 index over chunk text and the ingest-run log.
///
/// Every write of one file's documents happens in one transaction, so a crash at any
/// moment leaves either the old version of the file's documents or the new one.
public final class Store {
    public let connection: SQLiteConnection
    public let path: String
    let logger: Logger
    /// Document frequencies of query words, for lexical search (see `Store+Lexical`).
    let termStatistics = TermStatistics()

    /// Opens or creates the store at `path`, and applies pending migrations.
    public init(path: String, readOnly: Bool = false, logger: Logger = Logger(label: "lore.store")) throws {
        self.path = path
        self.logger = logger
        if !readOnly {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
                throw StoreError("the directory of the database \(path) does not exist")
            }
        }
        connection = try SQLiteConnection(path: path, readOnly: readOnly)
        try connection.execute("PRAGMA foreign_keys = ON")
        if !readOnly {
            try connection.execute("PRAGMA journal_mode = WAL")
            try connection.execute("PRAGMA synchronous = NORMAL")
            try connection.execute("PRAGMA cache_size = -65536")
            try connection.execute("PRAGMA temp_store = MEMORY")
            try migrate()
        }
    }

    /// Applies, in order, the migrations not applied yet.
    private func migrate() throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
        for (name, sql) in Migrations.all {
            let applied = try connection.scalarInt("SELECT count(*) FROM schema_migrations WHERE name = ?", [.text(name)]) ?? 0
            guard applied == 0 else { continue }
            try connection.transaction {
                try connection.execute(sql)
                try connection.prepare("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)").run([
                    .text(name), .double(Date().timeIntervalSince1970)
                ])
            }
            logger.info("applied migration", metadata: ["migration": "\(name)"])
        }
    }

    /// Names of the applied migrations, in order.
    public func appliedMigrations() throws -> [String] {
        let s = try connection.prepare("SELECT name FROM schema_migrations ORDER BY name")
        var names: [String] = []
        while try s.step() { names.append(s.text(0)) }
        return names
    }

    // MARK: Collections

    /// The id of the collection `name`, created if missing.
    public func collectionID(named name: String) throws -> Int64 {
        if let id = try connection.scalarInt("SELECT id FROM collections WHERE name = ?", [.text(name)]) { return id }
        try connection.prepare("INSERT INTO collections(name, created_at) VALUES (?, ?)").run([
            .text(name), .double(Date().timeIntervalSince1970)
        ])
        return connection.lastInsertRowID
    }

    /// The id of an existing collection.
    public func existingCollectionID(named name: String) throws -> Int64? {
        try connection.scalarInt("SELECT id FROM collections WHERE name = ?", [.text(name)])
    }

    // MARK: Ingest-run log

    /// Marks runs left `running` by a process that died as `interrupted`; returns how many.
    @discardableResult
    public func markInterruptedRuns() throws -> Int {
        try connection.prepare("UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'").run()
        return connection.changes
    }

    public func beginRun(collection: String, arguments: [String]) throws -> Int64 {
        let args = JSONValue.array(arguments.map { .string($0) }).serialized()
        try connection.prepare("INSERT INTO ingest_runs(collection, started_at, status, arguments) VALUES (?, ?, 'running', ?)")
            .run([.text(collection), .double(Date().timeIntervalSince1970), .text(args)])
        return connection.lastInsertRowID
    }

    public func finishRun(_ id: Int64, status: String, summary: String) throws {
        try connection.prepare("UPDATE ingest_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?")
            .run([.double(Date().timeIntervalSince1970), .text(status), .text(summary), .int(id)])
    }
}
