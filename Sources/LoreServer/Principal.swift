/// What an API key may do.
public enum Scope: String, Sendable, CaseIterable, Codable {
    /// Ask questions, retrieve, embed, list models, read documents.
    case query
    /// Add and delete documents.
    case ingest
    /// Everything, including administration (reloads, key management over HTTP).
    case admin
}

/// Who is calling: the API key that authenticated the request, or unauthenticated local
/// access (only when explicitly enabled, and only on loopback).
public struct Principal: Sendable, Equatable {
    /// The key's public id (nil for unauthenticated local access).
    public var keyID: String?
    /// A name for logs and metrics (`local`, or the key's name).
    public var name: String
    public var scopes: Set<Scope>
    /// The collections this caller may see; nil means every collection.
    public var collections: Set<String>?

    public init(keyID: String?, name: String, scopes: Set<Scope>, collections: Set<String>?) {
        self.keyID = keyID
        self.name = name
        self.scopes = scopes
        self.collections = collections
    }

    /// Unauthenticated access on loopback: every scope, every collection.
    public static let local = Principal(keyID: nil, name: "local", scopes: Set(Scope.allCases), collections: nil)
    /// No credentials and none needed yet (health, readiness, metrics): no scope at all.
    public static let anonymous = Principal(keyID: nil, name: "anonymous", scopes: [], collections: nil)

    /// Whether this caller holds `scope` (`admin` implies every scope).
    public func has(_ scope: Scope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }

    /// Whether this caller may see `collection`.
    public func mayUse(collection: String) -> Bool { collections?.contains(collection) ?? true }

    /// Throws 403 unless this caller holds `scope` and may see `collection` (when given).
    public func authorize(_ scope: Scope, collection: String? = nil) throws(APIError) {
        guard has(scope) else {
            throw APIError(.forbidden, code: "forbidden", "this API key lacks the \(scope.rawValue) scope")
        }
        if let collection, !mayUse(collection: collection) {
            throw APIError(.forbidden, code: "forbidden", "this API key may not use collection \(collection)")
        }
    }
}
