import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LoreStore
import Metrics

/// Authenticates every API request by `Authorization: Bearer lore_<id>_<secret>` and sets
/// `context.principal` from the key (its scopes and collections); routes then authorize
/// against it (403). `/healthz`, `/readyz`, `/openapi.yaml` and (unless `metricsRequireKey`) `/metrics` stay
/// open, with `Principal.anonymous`.
///
/// - No header: 401 `unauthorized` with `WWW-Authenticate: Bearer`, unless unauthenticated
///   local access is on, which gives `Principal.local`.
/// - Not a Bearer Lore key, or no such key, or a wrong secret: 401 `invalid_api_key`.
/// - A revoked key: 401 `revoked_api_key`. Keys are read from the store on every request
///   (no cache), so a revocation by another process holds from the next request.
/// - Over the key's rate limit (its own, else the server's default; unauthenticated local
///   access shares one bucket): 429 `rate_limited` with `Retry-After` in whole seconds.
///
/// Counts `lore_auth_failures_total{reason}` (`missing_key`, `invalid_api_key`,
/// `revoked_api_key`, `forbidden`) and `lore_rate_limited_total{key}` (the key's id, or
/// `local`); puts the key's id (never the secret) in the request's log lines as `key_id`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = LoreRequestContext
    let access: AccessOptions
    let directory: APIKeyDirectory?
    let limiter = RateLimiter()
    let openPaths: Set<String>

    init(access: AccessOptions) {
        self.access = access
        directory = access.keyDatabase.map { APIKeyDirectory(database: $0, published: access.keysArePublished) }
        openPaths =
            access.metricsRequireKey ? ["/healthz", "/readyz", "/openapi.yaml"] : ["/healthz", "/readyz", "/metrics", "/openapi.yaml"]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if openPaths.contains(request.uri.path) {
            context.principal = .anonymous
            return try await next(request, context)
        }
        let principal: Principal, bucket: String, limit: RateLimit?
        if let header = request.headers[.authorization] {
            let key = try await authenticate(header, logger: context.logger)
            principal = Principal(
                keyID: key.id, name: key.name, scopes: Set(key.scopes.compactMap(Scope.init(rawValue:))),
                collections: key.collections.map(Set.init))
            bucket = key.id
            limit = Self.limit(of: key) ?? access.defaultRateLimit
            context.logger[metadataKey: "key_id"] = "\(key.id)"
            context.annotations.keyID = key.id
        } else if access.unauthenticatedLocal {
            principal = .local
            bucket = "local"
            limit = access.defaultRateLimit
        } else {
            throw failure(
                .unauthorized, "missing_key", code: "unauthorized",
                "this API needs a key: send Authorization: Bearer <key> (lore keys create makes one)",
                challenge: "Bearer realm=\"lore\"", logger: context.logger)
        }
        if let limit, let retry = limiter.acquire(key: bucket, limit: limit) {
            Counter(label: "lore_rate_limited_total", dimensions: [("key", bucket)]).increment()
            context.logger.notice("rate limited", metadata: ["retry_after_s": "\(retry)"])
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                "rate limit exceeded for \(bucket == "local" ? "unauthenticated local access" : "API key \(bucket)") (\(Self.describe(limit))): retry in \(retry) s",
                headers: [.retryAfter: "\(retry)"])
        }
        context.principal = principal
        do {
            return try await next(request, context)
        } catch let e as APIError where e.status == .forbidden {
            Counter(label: "lore_auth_failures_total", dimensions: [("reason", "forbidden")]).increment()
            context.logger.notice("forbidden", metadata: ["reason": "\(e.message)"])
            throw e
        }
    }

    /// The key record for an `Authorization` header's value, or a 401.
    private func authenticate(_ header: String, logger: Logger) async throws -> APIKeyRecord {
        let invalidChallenge = "Bearer realm=\"lore\", error=\"invalid_token\""
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw failure(
                .unauthorized, "invalid_api_key", code: "invalid_api_key",
                "the Authorization header must be Bearer <key>", challenge: invalidChallenge, logger: logger)
        }
        guard let token = APIKeyToken(parsing: parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw failure(
                .unauthorized, "invalid_api_key", code: "invalid_api_key",
                "the Authorization header's key is not a Lore API key (lore_<id>_<secret>)", challenge: invalidChallenge, logger: logger)
        }
        guard let directory else {
            throw failure(
                .unauthorized, "invalid_api_key", code: "invalid_api_key", "this server has no API keys",
                challenge: invalidChallenge, logger: logger)
        }
        let lookup: APIKeyDirectory.Lookup
        do { lookup = try await directory.lookup(token) } catch {
            logger.error("cannot read the API keys", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: "keys_unavailable", "the server cannot read its API keys; try again")
        }
        switch lookup {
        case .valid(let key):
            return key
        case .unknown:
            throw failure(
                .unauthorized, "invalid_api_key", code: "invalid_api_key",
                "the Authorization header's API key is not valid", challenge: invalidChallenge, logger: logger)
        case .revoked(let key):
            var logger = logger
            logger[metadataKey: "key_id"] = "\(key.id)"
            throw failure(
                .unauthorized, "revoked_api_key", code: "revoked_api_key",
                "the API key \(key.id) (\(key.name)) was revoked", challenge: invalidChallenge, logger: logger)
        }
    }

    private func failure(
        _ status: HTTPResponse.Status, _ reason: String, code: String, _ message: String, challenge: String,
        logger: Logger
    ) -> APIError {
        Counter(label: "lore_auth_failures_total", dimensions: [("reason", reason)]).increment()
        logger.notice("authentication failed", metadata: ["reason": "\(reason)"])
        return APIError(status, code: code, message, headers: [.wwwAuthenticate: challenge])
    }

    /// The key's own limit: nil when it has none (the server's default applies), and none
    /// at all when its rate is 0.
    static func limit(of key: APIKeyRecord) -> RateLimit?? {
        guard let rate = key.rate else { return nil }
        guard rate > 0 else { return .some(nil) }
        return RateLimit(requestsPerSecond: rate, burst: key.burst ?? max(1, Int(rate.rounded(.up))))
    }

    static func describe(_ limit: RateLimit) -> String {
        let rate = limit.requestsPerSecond
        let text = rate == rate.rounded() ? "\(Int(rate))" : "\(rate)"
        return "\(text) requests per second, burst \(limit.burst)"
    }
}
