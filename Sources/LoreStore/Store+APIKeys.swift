import Foundation
import LoreCore

/// One API key as the store keeps it: never the secret, only its SHA-256.
public struct APIKeyRecord: Sendable, Equatable {
    /// The public id (the middle part of `lore_<id>_<secret>`).
    public var id: String
    public var name: String
    /// The lowercase hex SHA-256 of the secret.
    public var secretSHA256: String
    /// Scope names (`query`, `ingest`, `admin`).
    public var scopes: [String]
    /// The collections the key may use; nil means every collection.
    public var collections: [String]?
    /// Requests per second of the key's own rate limit; nil for the server's default, 0 for none.
    public var rate: Double?
    /// The bucket size of the key's own rate limit.
    public var burst: Int?
    public var createdAt: Double
    public var revokedAt: Double?
    public var lastUsedAt: Double?

    public init(
        id: String, name: String, secretSHA256: String, scopes: [String], collections: [String]?, rate: Double? = nil,
        burst: Int? = nil, createdAt: Double = Date().timeIntervalSince1970, revokedAt: Double? = nil, lastUsedAt: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.secretSHA256 = secretSHA256
        self.scopes = scopes
        self.collections = collections
        self.rate = rate
        self.burst = burst
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}

extension Store {
    private static let apiKeyColumns = "id, name, secret_sha256, scopes, collections, rate, burst, created_at, revoked_at, last_used_at"

    /// Stores a new key; fails if the id is taken.
    public func insertAPIKey(_ key: APIKeyRecord) throws {
        let collections = key.collections.map { JSONValue.array($0.map { .string($0) }).serialized() }
        try connection.prepare("INSERT INTO api_keys(\(Self.apiKeyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").run([
            .text(key.id), .text(key.name), .text(key.secretSHA256), .text(key.scopes.joined(separator: ",")),
            collections.map { .text($0) } ?? .null, key.rate.map { .double($0) } ?? .null, key.burst.map { .int(Int64($0)) } ?? .null,
            .double(key.createdAt), key.revokedAt.map { .double($0) } ?? .null, key.lastUsedAt.map { .double($0) } ?? .null
        ])
    }

    /// The key with public id `id`, revoked or not.
    public func apiKey(id: String) throws -> APIKeyRecord? {
        let s = try connection.prepare("SELECT \(Self.apiKeyColumns) FROM api_keys WHERE id = ?")
        // Reset at once: a statement left on a row would hold its read snapshot open, and a
        // revocation by another process would go unseen.
        defer { s.reset() }
        try s.bind([.text(id)])
        return try s.step() ? try Self.apiKeyRecord(s) : nil
    }

    /// Every key, oldest first.
    public func apiKeys() throws -> [APIKeyRecord] {
        let s = try connection.prepare("SELECT \(Self.apiKeyColumns) FROM api_keys ORDER BY created_at, id")
        var out: [APIKeyRecord] = []
        while try s.step() { out.append(try Self.apiKeyRecord(s)) }
        return out
    }

    /// Marks the key revoked (keeping the first revocation time); false when there is no such key.
    @discardableResult
    public func revokeAPIKey(id: String, at time: Double = Date().timeIntervalSince1970) throws -> Bool {
        try connection.prepare("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?").run([.double(time), .text(id)])
        return connection.changes > 0
    }

    /// Records that the key was used at `time`.
    public func touchAPIKey(id: String, at time: Double = Date().timeIntervalSince1970) throws {
        try connection.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").run([.double(time), .text(id)])
    }

    private static func apiKeyRecord(_ s: Statement) throws -> APIKeyRecord {
        var collections: [String]? = nil
        if let text = s.optionalText(4) {
            guard case .array(let items) = try JSONParser.parse(text) else { throw StoreError("api_keys.collections is not a JSON array") }
            collections = items.compactMap(\.stringValue)
        }
        return APIKeyRecord(
            id: s.text(0), name: s.text(1), secretSHA256: s.text(2),
            scopes: s.text(3).split(separator: ",").map(String.init), collections: collections,
            rate: s.isNull(5) ? nil : s.double(5), burst: s.isNull(6) ? nil : Int(s.int(6)),
            createdAt: s.double(7), revokedAt: s.isNull(8) ? nil : s.double(8),
            lastUsedAt: s.isNull(9) ? nil : s.double(9))
    }
}
