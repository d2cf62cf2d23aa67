import Foundation
import LoreServer

/// `lore serve` (`server:` in the configuration); `--host`, `--port` and `--unauthenticated`
/// override.
///
/// ```yaml
/// server:
///   host: 127.0.0.1          # auth: none (--unauthenticated) is refused beyond loopback
///   port: 8080               # 0 picks a free port
///   max_body_bytes: 1048576  # larger request bodies get 413
///   request_timeout_s: 120   # a non-streaming query or retrieval running longer gets 504
///   shutdown_grace_s: 30     # on SIGTERM, how long in-flight requests may take to finish
///   auth: api_key            # or none: requests without a key get full access (loopback only)
///   metrics_require_key: false  # true: GET /metrics needs a key too
///   rate_limit:              # per key, for keys without their own (lore keys create --rate); 0 = off
///     requests_per_second: 0
///     burst: 0               # 0: the rate rounded up
///   cors:                    # off unless given
///     allowed_origins: [https://app.example.com]   # or ["*"]
///     allowed_methods: [GET, POST, DELETE, OPTIONS]
///     allowed_headers: [Authorization, Content-Type, X-Request-ID]
///     max_age_s: 600
///   published: /data/index   # serve published index versions read-only (--published)
///   watch_interval_s: 2      # how often a replica checks for a new version; 0: only SIGHUP and POST /admin/reload
/// ```
public struct ServerSettings: Codable, Equatable, Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var maxBodyBytes = 1 << 20
    public var requestTimeoutSeconds = 120.0
    public var shutdownGraceSeconds = 30.0
    /// `api_key` (every API route needs a key) or `none` (unauthenticated local access).
    public var auth = AuthMode.apiKey
    public var metricsRequireKey = false
    public var rateLimit = RateLimitSettings()
    public var cors: CORSSettings?
    /// A published directory (`lore ingest --publish DIR`): the server is a read-only replica
    /// of its current version.
    public var published: String?
    public var watchIntervalSeconds = 2.0

    public enum CodingKeys: String, CodingKey {
        case host, port, maxBodyBytes = "max_body_bytes", requestTimeoutSeconds = "request_timeout_s"
        case shutdownGraceSeconds = "shutdown_grace_s"
        case auth, metricsRequireKey = "metrics_require_key", rateLimit = "rate_limit", cors
        case published, watchIntervalSeconds = "watch_interval_s"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
        requestTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? d.requestTimeoutSeconds
        shutdownGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .shutdownGraceSeconds) ?? d.shutdownGraceSeconds
        auth = try c.decodeIfPresent(String.self, forKey: .auth).map(AuthMode.parse) ?? d.auth
        metricsRequireKey = try c.decodeIfPresent(Bool.self, forKey: .metricsRequireKey) ?? d.metricsRequireKey
        rateLimit = try c.decodeIfPresent(RateLimitSettings.self, forKey: .rateLimit) ?? d.rateLimit
        cors = try c.decodeIfPresent(CORSSettings.self, forKey: .cors)
        published = try c.decodeIfPresent(String.self, forKey: .published)
        watchIntervalSeconds = try c.decodeIfPresent(Double.self, forKey: .watchIntervalSeconds) ?? d.watchIntervalSeconds
    }

    public func validate() throws {
        guard !host.isEmpty else { throw ConfigurationError(description: "server.host must not be empty") }
        guard (0...65535).contains(port) else {
            throw ConfigurationError(description: "server.port must be between 0 and 65535, not \(port)")
        }
        guard maxBodyBytes > 0 else { throw ConfigurationError(description: "server.max_body_bytes must be positive, not \(maxBodyBytes)") }
        guard requestTimeoutSeconds > 0 else {
            throw ConfigurationError(description: "server.request_timeout_s must be positive, not \(requestTimeoutSeconds)")
        }
        guard shutdownGraceSeconds >= 0 else {
            throw ConfigurationError(description: "server.shutdown_grace_s must not be negative, not \(shutdownGraceSeconds)")
        }
        guard watchIntervalSeconds >= 0, watchIntervalSeconds.isFinite else {
            throw ConfigurationError(
                description: "server.watch_interval_s must be 0 (no watching) or positive, not \(watchIntervalSeconds)")
        }
        if let published, published.isEmpty {
            throw ConfigurationError(description: "server.published must not be empty (leave it out to serve the database)")
        }
        try rateLimit.validate()
        try cors?.validate()
    }

    /// The server's options (`host` and `port` as given, after flags); keys come from
    /// `database`.
    public func options(database: String? = nil) -> ServerOptions {
        var o = ServerOptions(
            host: host, port: port, maxBodyBytes: maxBodyBytes,
            requestTimeout: .milliseconds(Int64((requestTimeoutSeconds * 1000).rounded())))
        o.access = AccessOptions(
            unauthenticatedLocal: auth == .unauthenticated, keyDatabase: database, defaultRateLimit: rateLimit.limit,
            cors: cors?.policy, metricsRequireKey: metricsRequireKey)
        return o
    }
}

/// `server.auth`: who may call the API routes.
public enum AuthMode: String, Codable, Sendable, CaseIterable {
    /// Every API route needs a key (`api_key`).
    case apiKey = "api_key"
    /// Requests without a key get full access (`none`); only loopback allows it.
    case unauthenticated = "none"

    /// The mode a setting's text names; anything else is an error naming `server.auth`.
    public static func parse(_ text: String) throws -> AuthMode {
        guard let mode = AuthMode(rawValue: text) else {
            throw ConfigurationError(description: "server.auth must be api_key or none, not \(text)")
        }
        return mode
    }
}

/// `server.rate_limit`: the token bucket of keys that have no limit of their own.
public struct RateLimitSettings: Codable, Equatable, Sendable {
    /// 0: no limit.
    public var requestsPerSecond = 0.0
    /// 0: the rate rounded up (at least 1).
    public var burst = 0

    public enum CodingKeys: String, CodingKey { case requestsPerSecond = "requests_per_second", burst }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestsPerSecond = try c.decodeIfPresent(Double.self, forKey: .requestsPerSecond) ?? 0
        burst = try c.decodeIfPresent(Int.self, forKey: .burst) ?? 0
    }

    public func validate() throws {
        guard requestsPerSecond >= 0, requestsPerSecond.isFinite else {
            throw ConfigurationError(
                description: "server.rate_limit.requests_per_second must be 0 (off) or positive, not \(requestsPerSecond)")
        }
        guard burst >= 0 else { throw ConfigurationError(description: "server.rate_limit.burst must not be negative, not \(burst)") }
    }

    public var limit: RateLimit? {
        requestsPerSecond > 0
            ? RateLimit(requestsPerSecond: requestsPerSecond, burst: burst > 0 ? burst : max(1, Int(requestsPerSecond.rounded(.up)))) : nil
    }
}

/// `server.cors`: which browser origins may call the API.
public struct CORSSettings: Codable, Equatable, Sendable {
    public var allowedOrigins: [String] = []
    public var allowedMethods = CORSPolicy.defaultMethods
    public var allowedHeaders = CORSPolicy.defaultHeaders
    public var maxAgeSeconds: Int?

    public enum CodingKeys: String, CodingKey {
        case allowedOrigins = "allowed_origins", allowedMethods = "allowed_methods", allowedHeaders = "allowed_headers"
        case maxAgeSeconds = "max_age_s"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        allowedOrigins = try c.decodeIfPresent([String].self, forKey: .allowedOrigins) ?? d.allowedOrigins
        allowedMethods = try c.decodeIfPresent([String].self, forKey: .allowedMethods) ?? d.allowedMethods
        allowedHeaders = try c.decodeIfPresent([String].self, forKey: .allowedHeaders) ?? d.allowedHeaders
        maxAgeSeconds = try c.decodeIfPresent(Int.self, forKey: .maxAgeSeconds)
    }

    public func validate() throws {
        guard !allowedOrigins.isEmpty else {
            throw ConfigurationError(description: "server.cors.allowed_origins must list at least one origin (or leave server.cors out)")
        }
        for (i, origin) in allowedOrigins.enumerated() where origin != "*" {
            guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                url.path.isEmpty, url.query == nil, !origin.hasSuffix("/")
            else {
                throw ConfigurationError(
                    description:
                        "server.cors.allowed_origins[\(i)] must be * or an origin like https://app.example.com (scheme, host, optional port; no path), not \(origin)"
                )
            }
        }
        for (i, m) in allowedMethods.enumerated() where m.isEmpty || !m.allSatisfy({ $0.isLetter && $0.isUppercase }) {
            throw ConfigurationError(description: "server.cors.allowed_methods[\(i)] must be an upper-case HTTP method, not \(m)")
        }
        for (i, h) in allowedHeaders.enumerated() where h.isEmpty || !h.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            throw ConfigurationError(description: "server.cors.allowed_headers[\(i)] must be a header name, not \(h)")
        }
        if let m = maxAgeSeconds, m < 0 { throw ConfigurationError(description: "server.cors.max_age_s must not be negative, not \(m)") }
    }

    public var policy: CORSPolicy {
        CORSPolicy(
            allowedOrigins: allowedOrigins, allowedMethods: allowedMethods, allowedHeaders: allowedHeaders, maxAgeSeconds: maxAgeSeconds)
    }
}
