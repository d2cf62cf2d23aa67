import ArgumentParser
import Foundation
import LoreApp
import LoreServer
import LoreStore

/// `lore keys create|list|revoke`: the API keys `lore serve` accepts, kept in the store
/// (only a SHA-256 of each secret).
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the API keys lore serve accepts.",
        discussion: """
            A key looks like lore_<id>_<secret>; clients send it as Authorization: Bearer KEY. \
            The store keeps only the id and a SHA-256 of the secret, so a key is shown once, \
            when it is created. A revocation holds from the running server's next request.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// The store, which must exist (keys are for a served database).
    static func store(_ global: GlobalOptions) throws -> (Store, database: String) {
        let config = try global.configuration()
        try config.requireDatabase(hint: "pass --db, or run lore ingest first")
        return (try Store(path: config.database), config.database)
    }

    static func time(_ t: Double?) -> String {
        guard let t else { return "-" }
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    static func object(_ k: APIKeyRecord) -> [String: Any] {
        var o: [String: Any] = [
            "id": k.id, "name": k.name, "scopes": k.scopes, "collections": k.collections.map { $0 as Any } ?? NSNull(),
            "created_at": time(k.createdAt), "last_used_at": k.lastUsedAt.map { time($0) as Any } ?? NSNull(),
            "revoked_at": k.revokedAt.map { time($0) as Any } ?? NSNull()
        ]
        o["rate"] = k.rate.map { $0 as Any } ?? NSNull()
        o["burst"] = k.burst.map { $0 as Any } ?? NSNull()
        return o
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it (once: it cannot be shown again).")
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "A name for the key (shown in lists and logs).")
        var name: String

        @Option(name: .long, help: "What the key may do: query, ingest, admin, comma-separated (admin implies all).")
        var scope: String

        @Option(name: .long, help: "A collection the key may use (repeat for more). Default: every collection.")
        var collection: [String] = []

        @Option(name: .long, help: "The key's own rate limit in requests per second (0: none). Default: server.rate_limit.")
        var rate: Double?

        @Option(
            name: .long,
            help: "How many requests the key may make at once before the rate applies (with --rate; default: the rate rounded up).")
        var burst: Int?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty") }
            _ = try scopes()
            if let rate, !(rate >= 0 && rate.isFinite) { throw ValidationError("--rate must be 0 (no limit) or positive, not \(rate)") }
            if let burst {
                guard rate != nil else { throw ValidationError("--burst needs --rate") }
                guard burst >= 1 else { throw ValidationError("--burst must be at least 1, not \(burst)") }
            }
        }

        func scopes() throws -> [String] {
            let names = scope.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty else { throw ValidationError("--scope must name at least one of query, ingest, admin") }
            for n in names where Scope(rawValue: n) == nil {
                throw ValidationError("--scope: unknown scope \(n) (use query, ingest, admin)")
            }
            return Scope.allCases.map(\.rawValue).filter(names.contains)
        }

        func run() throws {
            let (store, database) = try Keys.store(global)
            for c in collection where try store.existingCollectionID(named: c) == nil {
                throw CommandFailure(description: "--collection: no collection named \(c) in \(database)")
            }
            let token = APIKeyToken.generate()
            let record = APIKeyRecord(
                id: token.id, name: name, secretSHA256: token.secretSHA256, scopes: try scopes(),
                collections: collection.isEmpty ? nil : Array(Set(collection)).sorted(), rate: rate,
                burst: rate.map { r in burst ?? max(1, Int(r.rounded(.up))) })
            try store.insertAPIKey(record)
            let note = "This key is shown only now: the store keeps a hash of it and cannot show it again."
            if json {
                var o = Keys.object(record)
                o["key"] = token.text
                o["note"] = note
                print(try IndexCommand.json(o))
            } else {
                print(token.text)
                FileHandle.standardError.write(
                    Data(
                        "created API key \(record.id) (\(name)): scopes \(record.scopes.joined(separator: ",")), collections \(record.collections?.joined(separator: ",") ?? "all")\n\(note)\n"
                            .utf8))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys (never their secrets).")
        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let (store, _) = try Keys.store(global)
            let keys = try store.apiKeys()
            if json {
                print(
                    String(
                        decoding: try JSONSerialization.data(
                            withJSONObject: keys.map(Keys.object), options: [.sortedKeys, .withoutEscapingSlashes]),
                        as: UTF8.self))
                return
            }
            if keys.isEmpty { print("no API keys (lore keys create makes one)"); return }
            for k in keys {
                let limit = k.rate.map { $0 == 0 ? "no rate limit" : "rate \($0)/s burst \(k.burst ?? 1)" } ?? "default rate limit"
                print(
                    "\(k.id)  \(k.name)  scopes \(k.scopes.joined(separator: ","))  collections \(k.collections?.joined(separator: ",") ?? "all")  \(limit)  created \(Keys.time(k.createdAt))  last used \(Keys.time(k.lastUsedAt))\(k.revokedAt.map { "  REVOKED \(Keys.time($0))" } ?? "")"
                )
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by its id (lore keys list shows ids); a running server refuses it from its next request.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The key's id (the part after lore_, or the whole key).")
        var id: String

        func run() throws {
            let (store, database) = try Keys.store(global)
            let keyID = APIKeyToken(parsing: id)?.id ?? id
            guard let key = try store.apiKey(id: keyID) else {
                throw CommandFailure(description: "no API key with id \(keyID) in \(database) (lore keys list shows the ids)")
            }
            if let at = key.revokedAt {
                print("API key \(keyID) (\(key.name)) was already revoked at \(Keys.time(at))")
                return
            }
            try store.revokeAPIKey(id: keyID)
            print("revoked API key \(keyID) (\(key.name))")
        }
    }
}
