import Dispatch
import Synchronization

/// Token buckets, one per API key (and one shared by unauthenticated local access), safe to
/// use from any thread. Buckets are keyed by key id only, never by client address, so their
/// number is bounded by the keys in the store.
final class RateLimiter: Sendable {
    private struct Bucket {
        var limit: RateLimit
        var tokens: Double
        var updated: UInt64
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// Takes one token from `key`'s bucket: nil when the request may go on, else the whole
    /// seconds (at least 1) until a token is back.
    func acquire(key: String, limit: RateLimit, now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Int? {
        buckets.withLock { buckets in
            var b =
                buckets[key].flatMap { $0.limit == limit ? $0 : nil }
                ?? Bucket(limit: limit, tokens: Double(limit.burst), updated: now)
            let elapsed = Double(now &- b.updated) / 1e9
            b.tokens = min(Double(limit.burst), b.tokens + elapsed * limit.requestsPerSecond)
            b.updated = now
            defer { buckets[key] = b }
            if b.tokens >= 1 {
                b.tokens -= 1
                return nil
            }
            let wait = (1 - b.tokens) / limit.requestsPerSecond
            return max(1, Int(wait.rounded(.up)))
        }
    }
}
