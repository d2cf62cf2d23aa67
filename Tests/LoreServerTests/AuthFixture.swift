import Foundation
import LoreTestSupport
import Testing

/// A copy of `ServeCorpus`'s store (both collections) with API keys made by `lore keys
/// create`, for servers started without `--unauthenticated`. Each test that changes keys
/// makes its own copy.
final class KeyedStore: @unchecked Sendable {
    let directory = TemporaryDirectory("lore-keys")
    let database: String

    init() async throws {
        database = directory.path + "/keyed.db"
        // SQLite's online backup: a consistent copy while the shared server may write the original.
        let r = try await runProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()",
                try await ServeCorpus.database(), database
            ])
        guard r.status == 0 else { throw CurlFailure(description: "copying the store failed: \(r.stderr)") }
    }

    /// Keys in an existing store, used as it is (no copy).
    init(existing database: String) {
        self.database = database
    }

    /// A key made by `lore keys create ... --json`: its whole text and its public id.
    struct Key: Sendable {
        var text: String
        var id: String
        var bearer: [String: String] { ["Authorization": "Bearer \(text)"] }
    }

    func create(_ name: String, scope: String, collections: [String] = [], extra: [String] = []) async throws -> Key {
        let r = try await runLore(
            ["keys", "create", "--db", database, "--name", name, "--scope", scope, "--json"]
                + collections.flatMap { ["--collection", $0] } + extra)
        guard r.status == 0, let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
            let text = o["key"] as? String, let id = o["id"] as? String
        else {
            throw CurlFailure(description: "lore keys create failed (\(r.status)): \(r.stderr) \(r.stdout)")
        }
        return Key(text: text, id: id)
    }

    func revoke(_ key: Key) async throws -> ProcessResult { try await runLore(["keys", "revoke", key.id, "--db", database]) }
}

/// One keyed server most authentication tests share, with its keys and its log file.
final class KeyedServe: @unchecked Sendable {
    static let shared = SharedFixture { try await KeyedServe() }

    let store: KeyedStore
    let server: LoreServe
    let log: String
    /// scope query, every collection.
    let reader: KeyedStore.Key
    /// scope ingest only.
    let ingester: KeyedStore.Key
    /// scope query, collection `fixtures` only.
    let fixturesOnly: KeyedStore.Key

    private init() async throws {
        store = try await KeyedStore()
        reader = try await store.create("reader", scope: "query")
        ingester = try await store.create("ingester", scope: "ingest")
        fixturesOnly = try await store.create("fixtures-reader", scope: "query", collections: [ServeCorpus.secondCollection])
        log = store.directory.path + "/server.log"
        server = try await LoreServe(
            environment: ["LORE_LOG_LEVEL": "info"], database: store.database, unauthenticated: false, logFile: log)
    }

    /// The server's log lines so far, as JSON objects.
    func logLines() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass (no fixed sleeps);
/// returns whether it held.
@discardableResult
func eventually(timeout: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try condition() { return true }
        usleep(50_000)
    } while Date() < deadline
    return false
}

/// `eventually` for async tests: waits between polls without holding a thread.
@discardableResult
func eventually(timeout: Double = 15, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    } while Date() < deadline
    return false
}
