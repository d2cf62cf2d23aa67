import Foundation
import LoreServer
import LoreStore

/// The options of `lore keys create`.
public struct KeyCreateRequest: Sendable {
    /// A name for the key.
    public var name: String
    /// The scopes, comma-separated (query, ingest, admin).
    public var scope: String
    /// The collections the key may use (empty: every collection).
    public var collections: [String]
    /// The key's own rate limit in requests per second (0: none), and its burst.
    public var rate: Double?, burst: Int?
    /// Print JSON.
    public var json: Bool

    /// A request with these options.
    public init(name: String, scope: String, collections: [String], rate: Double?, burst: Int?, json: Bool) {
        self.name = name
        self.scope = scope
        self.collections = collections
        self.rate = rate
        self.burst = burst
        self.json = json
    }

    /// Checks the options (the name, the scopes, the rate and the burst).
    public func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw UsageError("--name must not be empty") }
        _ = try scopes()
        if let rate, !(rate >= 0 && rate.isFinite) { throw UsageError("--rate must be 0 (no limit) or positive, not \(rate)") }
        if let burst {
            guard rate != nil else { throw UsageError("--burst needs --rate") }
            guard burst >= 1 else { throw UsageError("--burst must be at least 1, not \(burst)") }
        }
    }

    /// The scopes named, in their canonical order.
    public func scopes() throws -> [String] {
        let names = scope.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw UsageError("--scope must name at least one of query, ingest, admin") }
        for n in names where Scope(rawValue: n) == nil {
            throw UsageError("--scope: unknown scope \(n) (use query, ingest, admin)")
        }
        return Scope.allCases.map(\.rawValue).filter(names.contains)
    }
}

/// `lore keys create|list|revoke`: the API keys `lore serve` accepts, kept in the store (only
/// a SHA-256 of each secret).
public enum KeysCommand {
    /// The store, which must exist (keys are for a served database).
    static func store(_ config: LoreConfiguration) throws -> Store {
        try config.requireDatabase(hint: "pass --db, or run lore ingest first")
        return try Store(path: config.database)
    }

    /// An ISO 8601 time, or `-`.
    static func time(_ t: Double?) -> String {
        guard let t else { return "-" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: t))
    }

    /// A key as a JSON object (never its secret).
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

    /// `lore keys create`: stores a new key and prints it, once (the note goes to standard error).
    public static func create(_ request: KeyCreateRequest, config: LoreConfiguration) throws -> CommandOutput {
        let store = try store(config)
        for c in request.collections where try store.existingCollectionID(named: c) == nil {
            throw CommandFailure(description: "--collection: no collection named \(c) in \(config.database)")
        }
        let token = APIKeyToken.generate()
        let rate = request.rate
        let record = APIKeyRecord(
            id: token.id, name: request.name, secretSHA256: token.secretSHA256, scopes: try request.scopes(),
            collections: request.collections.isEmpty ? nil : Array(Set(request.collections)).sorted(), rate: rate,
            burst: rate.map { r in request.burst ?? max(1, Int(r.rounded(.up))) })
        try store.insertAPIKey(record)
        let note = "This key is shown only now: the store keeps a hash of it and cannot show it again."
        var out = CommandOutput()
        if request.json {
            var o = object(record)
            o["key"] = token.text
            o["note"] = note
            out.print(try CommandText.json(o))
        } else {
            out.print(token.text)
            out.printError(
                "created API key \(record.id) (\(request.name)): scopes \(record.scopes.joined(separator: ",")), collections \(record.collections?.joined(separator: ",") ?? "all")\n\(note)\n"
            )
        }
        return out
    }

    /// `lore keys list`: every key, never a secret.
    public static func list(json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        let keys = try store(config).apiKeys()
        var out = CommandOutput()
        if json {
            out.print(try CommandText.json(keys.map(object)))
            return out
        }
        if keys.isEmpty {
            out.print("no API keys (lore keys create makes one)")
            return out
        }
        for k in keys {
            let limit = k.rate.map { $0 == 0 ? "no rate limit" : "rate \($0)/s burst \(k.burst ?? 1)" } ?? "default rate limit"
            out.print(
                "\(k.id)  \(k.name)  scopes \(k.scopes.joined(separator: ","))  collections \(k.collections?.joined(separator: ",") ?? "all")  \(limit)  created \(time(k.createdAt))  last used \(time(k.lastUsedAt))\(k.revokedAt.map { "  REVOKED \(time($0))" } ?? "")"
            )
        }
        return out
    }

    /// `lore keys revoke ID`: revokes a key by its id (or the whole key).
    public static func revoke(id: String, config: LoreConfiguration) throws -> CommandOutput {
        let store = try store(config)
        let keyID = APIKeyToken(parsing: id)?.id ?? id
        guard let key = try store.apiKey(id: keyID) else {
            throw CommandFailure(description: "no API key with id \(keyID) in \(config.database) (lore keys list shows the ids)")
        }
        var out = CommandOutput()
        if let at = key.revokedAt {
            out.print("API key \(keyID) (\(key.name)) was already revoked at \(time(at))")
            return out
        }
        try store.revokeAPIKey(id: keyID)
        out.print("revoked API key \(keyID) (\(key.name))")
        return out
    }
}
