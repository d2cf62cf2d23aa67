/// Who may call `lore serve` and how often (`server.auth`, `server.rate_limit`,
/// `server.cors` in the configuration).
public struct AccessOptions: Sendable, Equatable {
    /// Requests without a key get `Principal.local` (every scope, every collection).
    /// `lore serve` allows it only on loopback (`--unauthenticated`, `server.auth: none`).
    /// A key that is presented is checked all the same.
    public var unauthenticatedLocal: Bool
    /// The store whose `api_keys` table holds the keys; nil: no key is valid.
    public var keyDatabase: String?
    /// True when `keyDatabase` is a published version's path through its `current` link
    /// (`DIR/current/lore.db`): the keys are read from whichever version is current, and
    /// read only (key use is not recorded: the version is an immutable copy).
    public var keysArePublished = false
    /// The rate limit of keys that have none of their own, and of unauthenticated local
    /// access; nil: none.
    public var defaultRateLimit: RateLimit?
    /// Cross-origin requests from browsers; nil: no CORS headers at all.
    public var cors: CORSPolicy?
    /// Whether `GET /metrics` needs a key (any valid key); `/healthz` and `/readyz` never do.
    public var metricsRequireKey: Bool

    public init(
        unauthenticatedLocal: Bool = false, keyDatabase: String? = nil, defaultRateLimit: RateLimit? = nil,
        cors: CORSPolicy? = nil, metricsRequireKey: Bool = false
    ) {
        self.unauthenticatedLocal = unauthenticatedLocal
        self.keyDatabase = keyDatabase
        self.defaultRateLimit = defaultRateLimit
        self.cors = cors
        self.metricsRequireKey = metricsRequireKey
    }
}

/// A token bucket's parameters: `requestsPerSecond` refill, at most `burst` at once.
public struct RateLimit: Sendable, Equatable {
    public var requestsPerSecond: Double
    public var burst: Int

    public init(requestsPerSecond: Double, burst: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }
}
