import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// A store with collection `default` (the ingest fixtures' good files), for `lore keys`.
final class KeysStore: @unchecked Sendable {
    static let shared = KeysStore()
    let directory = TemporaryDirectory("lore-keys-cli")
    let database: String

    private init() {
        database = directory.path + "/keys.db"
        let r = try! runLore(["ingest", TestPaths.ingestFixtures + "/good", "--db", database, "--json"])
        precondition(r.status == 0, "ingest failed: \(r.stderr)")
    }
}

/// `lore keys create|list|revoke`: a key is printed once and kept only as a hash; lists
/// never show secrets; bad arguments fail naming the argument.
@Suite("lore keys")
struct KeysCommandTests {
    let db = KeysStore.shared.database

    func keys(_ args: [String]) throws -> ProcessResult { try runLore(["keys"] + args + ["--db", db]) }

    @Test("create prints the key once on stdout, with a note on stderr; the store keeps only its hash; list never shows the secret")
    func createAndList() throws {
        let r = try keys([
            "create", "--name", "ci-bot", "--scope", "query,ingest", "--collection", "default", "--rate", "5", "--burst", "10"
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let key = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = key.split(separator: "_")
        #expect(
            !key.contains("\n") && parts.count == 3 && parts[0] == "lore" && parts[1].count == 16 && parts[2].count == 64, "\(r.stdout)")
        #expect(r.stderr.contains("cannot show it again"), "\(r.stderr)")
        let id = String(parts[1]), secret = String(parts[2])

        let store = try Store(path: db, readOnly: true)
        let record = try #require(try store.apiKey(id: id))
        #expect(record.name == "ci-bot" && record.scopes == ["query", "ingest"] && record.collections == ["default"])
        #expect(record.rate == 5 && record.burst == 10 && record.revokedAt == nil)
        #expect(record.secretSHA256 != secret && record.secretSHA256.count == 64)

        let list = try keys(["list"])
        #expect(list.status == 0)
        #expect(list.stdout.contains(id) && list.stdout.contains("ci-bot"), "\(list.stdout)")
        #expect(!list.stdout.contains(secret))
        let json = try keys(["list", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stdout)")
        let row = try #require(rows.first { $0["id"] as? String == id })
        #expect(row["scopes"] as? [String] == ["query", "ingest"] && row["collections"] as? [String] == ["default"])
        #expect(row["key"] == nil && !json.stdout.contains(secret) && !json.stdout.contains(record.secretSHA256))
    }

    @Test("create --json gives the key and its fields; two keys never share an id or a secret")
    func createJSON() throws {
        var seen: Set<String> = []
        for _ in 0..<2 {
            let r = try keys(["create", "--name", "j", "--scope", "admin", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
            let key = try #require(o["key"] as? String)
            #expect(key.hasPrefix("lore_\(o["id"] as? String ?? "?")_"))
            #expect(o["scopes"] as? [String] == ["admin"] && o["collections"] is NSNull)
            #expect((o["note"] as? String)?.contains("cannot show it again") == true)
            seen.insert(key)
            seen.insert(String(key.split(separator: "_")[1]))
        }
        #expect(seen.count == 4)
    }

    @Test("revoke marks the key revoked (list says so); a second revoke says it already was")
    func revoke() throws {
        let made = try keys(["create", "--name", "gone", "--scope", "query"])
        let id = String(made.stdout.split(separator: "_")[1])
        let r = try keys(["revoke", id])
        #expect(r.status == 0 && r.stdout.contains("revoked API key \(id)"), "\(r.stdout) \(r.stderr)")
        let again = try keys(["revoke", id])
        #expect(again.status == 0 && again.stdout.contains("already revoked"), "\(again.stdout)")
        let list = try keys(["list"])
        let line = try #require(list.stdout.split(separator: "\n").first { $0.hasPrefix(id) })
        #expect(line.contains("REVOKED"), "\(line)")
        #expect(try Store(path: db, readOnly: true).apiKey(id: id)?.revokedAt != nil)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var args: [String]
        /// Fragments stderr must hold (the argument and the bad value).
        var mentions: [String]
        var testDescription: String { args.joined(separator: " ") }
    }

    static let badCases: [BadCase] = [
        BadCase(args: ["create", "--name", "x", "--scope", "query,superuser"], mentions: ["--scope", "superuser"]),
        BadCase(args: ["create", "--name", "x", "--scope", ""], mentions: ["--scope"]),
        BadCase(args: ["create", "--name", " ", "--scope", "query"], mentions: ["--name"]),
        BadCase(args: ["create", "--name", "x", "--scope", "query", "--collection", "nowhere"], mentions: ["--collection", "nowhere"]),
        BadCase(args: ["create", "--name", "x", "--scope", "query", "--burst", "3"], mentions: ["--burst", "--rate"]),
        BadCase(args: ["create", "--name", "x", "--scope", "query", "--rate", "-1"], mentions: ["--rate"]),
        BadCase(args: ["create", "--name", "x", "--scope", "query", "--rate", "1", "--burst", "0"], mentions: ["--burst"]),
        BadCase(args: ["revoke", "0123456789abcdef"], mentions: ["0123456789abcdef"])
    ]

    @Test("bad arguments fail with a message naming the argument, and create no key", arguments: badCases)
    func badArguments(_ c: BadCase) throws {
        let r = try keys(c.args)
        #expect(r.status != 0)
        for m in c.mentions { #expect(r.stderr.contains(m), "\(r.stderr)") }
        // Only these cases use these names; other tests create keys in parallel.
        #expect(try Store(path: db, readOnly: true).apiKeys().allSatisfy { $0.name != "x" && $0.name != " " })
    }

    @Test("without a database, keys commands fail naming the path")
    func noDatabase() throws {
        let r = try runLore(["keys", "list", "--db", "/nonexistent/lore.db"])
        #expect(r.status != 0 && r.stderr.contains("/nonexistent/lore.db"), "\(r.stderr)")
    }
}
