import CSQLite
import Foundation

/// An error from SQLite, with the statement or operation that failed.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var context: String

    public var description: String { "SQLite error \(code) (\(message)) in \(context)" }

    /// SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
}

let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection with a cache of prepared statements. Not thread-safe: one owner
/// uses it at a time (the store serialises access).
public final class SQLiteConnection {
    let handle: OpaquePointer
    private var cache: [String: Statement] = [:]
    public let path: String

    /// Opens (and creates unless `readOnly`) the database at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: "opening \(path)")
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(errmsg)
            throw SQLiteError(code: rc, message: message, context: String(sql.prefix(120)))
        }
    }

    /// A cached prepared statement for `sql`, reset and with its bindings cleared.
    /// Changes since the connection opened: its own (`sqlite3_total_changes`) and other
    /// connections' commits (`PRAGMA data_version`). Equal values mean nothing changed.
    public func changeStamp() throws -> (own: Int64, others: Int64) {
        (Int64(sqlite3_total_changes64(handle)), try scalarInt("PRAGMA data_version") ?? 0)
    }

    public func prepare(_ sql: String) throws -> Statement {
        if let s = cache[sql] {
            s.reset()
            return s
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, String(sql.prefix(160))) }
        let s = Statement(stmt, connection: self, sql: sql)
        cache[sql] = s
        return s
    }

    /// Runs `body` in a transaction (`BEGIN IMMEDIATE`: the write lock is taken up front), and
    /// commits, or rolls back if it throws. Inside another transaction it simply runs as part
    /// of it (no savepoint: FTS5 flushes a segment at every savepoint), and an error rolls
    /// back the outer transaction when it reaches it.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if sqlite3_get_autocommit(handle) == 0 { return try body() }
        // A cached read statement left on a row holds its read snapshot open; once another
        // connection commits (the audit trail, a second process), BEGIN IMMEDIATE on that
        // stale snapshot fails with SQLITE_BUSY_SNAPSHOT (517), which no busy timeout retries.
        for statement in cache.values where statement.isBusy { statement.reset() }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The first column of the first row, as an integer.
    public func scalarInt(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int64? {
        let s = try prepare(sql)
        // Reset at once: a statement left on a row would hold its read snapshot open.
        defer { s.reset() }
        try s.bind(bindings)
        return try s.step() ? s.isNull(0) ? nil : s.int(0) : nil
    }
}

/// A value bound to a statement parameter.
public enum SQLValue: Sendable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

/// A prepared statement. Columns are read by index, from 0.
public final class Statement {
    let stmt: OpaquePointer
    unowned let connection: SQLiteConnection
    let sql: String

    init(_ stmt: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.stmt = stmt
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(stmt) }

    /// Whether it is stepping (on a row, holding a read snapshot).
    public var isBusy: Bool { sqlite3_stmt_busy(stmt) != 0 }

    /// Ends the statement's current run (and with it any read snapshot it holds).
    public func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    /// Binds parameters 1...n.
    public func bind(_ values: [SQLValue]) throws {
        for (k, v) in values.enumerated() { try bind(v, at: Int32(k + 1)) }
    }

    public func bind(_ value: SQLValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(stmt, index)
        case .int(let v): rc = sqlite3_bind_int64(stmt, index, v)
        case .double(let v): rc = sqlite3_bind_double(stmt, index, v)
        case .text(let v): rc = sqlite3_bind_text(stmt, index, v, -1, SQLITE_TRANSIENT)
        case .blob(let v): rc = v.withUnsafeBytes { sqlite3_bind_blob(stmt, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
        }
        guard rc == SQLITE_OK else { throw connection.error(rc, "binding parameter \(index) of \(sql.prefix(120))") }
    }

    /// Advances to the next row; false when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc, String(sql.prefix(160)))
    }

    /// Runs the statement to completion.
    public func run(_ values: [SQLValue] = []) throws {
        reset()
        try bind(values)
        while try step() {}
    }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(stmt, column) }
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }
    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, column) else { return "" }
        return String(cString: p)
    }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    /// Calls `body` with the column's bytes in place (valid only inside `body`).
    public func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let p = sqlite3_column_blob(stmt, column)
        let n = Int(sqlite3_column_bytes(stmt, column))
        return try body(UnsafeRawBufferPointer(start: n > 0 ? p : nil, count: n))
    }

    /// Binds `bytes` without copying them; they must stay valid until the statement is reset.
    public func bindBlobNoCopy(_ bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        let rc = sqlite3_bind_blob(stmt, index, bytes.baseAddress, Int32(bytes.count), nil)
        guard rc == SQLITE_OK else { throw connection.error(rc, "binding parameter \(index) of \(sql.prefix(120))") }
    }

    public func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, column))
        guard n > 0, let p = sqlite3_column_blob(stmt, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
