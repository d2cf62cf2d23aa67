import Foundation
import Logging
import LoreStore

/// The API keys of the store, looked up per request through a read-only connection: no
/// cache, so a `lore keys revoke` in another process takes effect on the next request.
/// A lookup is one primary-key SELECT. `last_used_at` is written at most once a minute per
/// key, by a separate connection in the background, so a lookup never waits on a write lock.
actor APIKeyDirectory {
    /// What the store says about a presented key.
    enum Lookup: Sendable {
        case valid(APIKeyRecord)
        /// No key with that id, or the secret does not match.
        case unknown
        case revoked(APIKeyRecord)
    }

    let database: String
    private var reader: Store?
    /// Published mode: the version file the reader has open.
    private var readerTarget: String?
    /// Nil for a published version (an immutable copy: use is not recorded).
    private let usage: KeyUsageRecorder?
    private let published: Bool

    /// - Parameter published: `database` is a path through a published directory's
    ///   `current` link; the reader follows it to each new version.
    init(database: String, published: Bool = false) {
        self.database = database
        self.published = published
        usage = published ? nil : KeyUsageRecorder(database: database)
    }

    func lookup(_ token: APIKeyToken) throws -> Lookup {
        if published {
            // One realpath(3) per lookup: a new version is seen on the request after the switch.
            guard let resolved = realpath(database, nil) else {
                throw StoreError("\(database): \(String(cString: strerror(errno)))")
            }
            let target = String(cString: resolved)
            free(resolved)
            if target != readerTarget {
                reader = try Store(path: target, readOnly: true)
                readerTarget = target
            }
        }
        if reader == nil { reader = try Store(path: database, readOnly: true) }
        guard let record = try reader!.apiKey(id: token.id), token.matches(storedSHA256: record.secretSHA256) else { return .unknown }
        if record.revokedAt != nil { return .revoked(record) }
        if let usage {
            let lastUsed = record.lastUsedAt
            Task { await usage.touch(token.id, lastUsed: lastUsed) }
        }
        return .valid(record)
    }
}

/// Writes `api_keys.last_used_at`, at most once a minute per key; failures are logged, never
/// a request's failure.
actor KeyUsageRecorder {
    let database: String
    private var writer: Store?
    private var touched: [String: Double] = [:]
    private let logger = Logger(label: "lore.server.keys")

    init(database: String) { self.database = database }

    func touch(_ id: String, lastUsed: Double?) {
        let now = Date().timeIntervalSince1970
        let last = max(touched[id] ?? 0, lastUsed ?? 0)
        guard now - last >= 60 else { return }
        touched[id] = now
        do {
            if writer == nil { writer = try Store(path: database) }
            try writer!.touchAPIKey(id: id, at: now)
        } catch {
            logger.warning("could not record the use of an API key", metadata: ["key_id": "\(id)", "error": "\(error)"])
        }
    }
}
