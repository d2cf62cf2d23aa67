import Foundation
import LoreOps
import LoreRetrieval
import LoreStore

/// Shadow traffic (`shadow:` in the configuration): a candidate that answers a sampled share
/// of live requests again, in the background, compared with what the user got
/// (`lore shadow report`). Off while no candidate is named.
///
/// ```yaml
/// shadow:
///   prompt: answer@v2        # the candidate: a prompt version,
///   backend: llm             # a backend,
///   retrieval: {k: 8, mode: dense}   # retrieval settings (k, fetch_k, mode, lambda, min_relevance), or several
///   index_version: v000004   # on a replica (server.published): another published version answers
///   sample: 0.1              # the share of answered requests shadowed
///   queue: 64                # requests waiting for the candidate before new ones are dropped
///   quiet_ms: 10             # a candidate run starts once no request has been in flight this long
///   max_wait_s: 60           # a queued request that finds no quiet moment in this time is dropped
/// ```
public struct ShadowSettings: Codable, Equatable, Sendable {
    public var prompt: String?
    public var backend: String?
    public var retrieval = Retrieval()
    /// A published version's name: on a replica, the candidate answers from that version.
    public var indexVersion: String?
    public var sample = 1.0
    public var queue = 64
    /// Milliseconds with no primary request in flight before a candidate run starts (0: as
    /// soon as its thread gets a core).
    public var quietMs = 10.0
    /// Seconds a queued request may wait for a quiet moment before it is dropped.
    public var maxWaitSeconds = 60.0

    /// The retrieval settings the candidate changes.
    public struct Retrieval: Codable, Equatable, Sendable {
        public var k: Int?
        public var fetchK: Int?
        public var mode: String?
        public var lambda: Double?
        public var minRelevance: Double?

        public enum CodingKeys: String, CodingKey { case k, fetchK = "fetch_k", mode, lambda, minRelevance = "min_relevance" }

        public init() {}
    }

    public enum CodingKeys: String, CodingKey {
        case prompt, backend, retrieval, indexVersion = "index_version", sample, queue
        case quietMs = "quiet_ms", maxWaitSeconds = "max_wait_s"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt)
        backend = try c.decodeIfPresent(String.self, forKey: .backend)
        retrieval = try c.decodeIfPresent(Retrieval.self, forKey: .retrieval) ?? d.retrieval
        indexVersion = try c.decodeIfPresent(String.self, forKey: .indexVersion)
        sample = try c.decodeIfPresent(Double.self, forKey: .sample) ?? d.sample
        queue = try c.decodeIfPresent(Int.self, forKey: .queue) ?? d.queue
        quietMs = try c.decodeIfPresent(Double.self, forKey: .quietMs) ?? d.quietMs
        maxWaitSeconds = try c.decodeIfPresent(Double.self, forKey: .maxWaitSeconds) ?? d.maxWaitSeconds
    }

    /// The candidate these settings name (empty: shadow traffic is off).
    public var candidate: ShadowCandidate {
        ShadowCandidate(
            prompt: prompt, backend: backend, k: retrieval.k, fetchK: retrieval.fetchK,
            mode: retrieval.mode.flatMap(RetrievalMode.init(rawValue:)), lambda: retrieval.lambda, minRelevance: retrieval.minRelevance,
            indexVersion: indexVersion)
    }

    /// Whether a candidate is named.
    public var enabled: Bool { !candidate.isEmpty }

    /// Refuses values out of range, naming the key.
    public func validate() throws {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(description: "shadow." + message) }
        guard (0...1).contains(sample) else { throw fail("sample must be between 0 and 1, not \(sample)") }
        guard queue >= 1 else { throw fail("queue must be at least 1, not \(queue)") }
        guard (0...60_000).contains(quietMs) else { throw fail("quiet_ms must be between 0 and 60000, not \(quietMs)") }
        guard maxWaitSeconds > 0, maxWaitSeconds <= 86_400 else {
            throw fail("max_wait_s must be above 0 and at most 86400, not \(maxWaitSeconds)")
        }
        if let k = retrieval.k, !(1...100).contains(k) { throw fail("retrieval.k must be between 1 and 100, not \(k)") }
        if let f = retrieval.fetchK, !(1...1000).contains(f) { throw fail("retrieval.fetch_k must be between 1 and 1000, not \(f)") }
        if let m = retrieval.mode, RetrievalMode(rawValue: m) == nil {
            throw fail("retrieval.mode must be hybrid, dense or lexical, not \(m)")
        }
        if let l = retrieval.lambda, !(0...1).contains(l) { throw fail("retrieval.lambda must be between 0 and 1, not \(l)") }
        if let r = retrieval.minRelevance, !(-1...1).contains(r) {
            throw fail("retrieval.min_relevance must be between -1 and 1, not \(r)")
        }
        if let p = prompt, !p.contains("@") { throw fail("prompt must be NAME@VERSION, not \(p)") }
        if let v = indexVersion, PublishedVersions.number(of: v) == nil {
            throw fail("index_version must be a published version's name (v000003), not \(v)")
        }
    }

    /// The runner's settings.
    public var runner: ShadowRunner.Settings {
        ShadowRunner.Settings(
            candidate: candidate, sample: sample, queueLimit: queue, quiet: .microseconds(Int64((quietMs * 1000).rounded())),
            maxWait: .milliseconds(Int64((maxWaitSeconds * 1000).rounded())))
    }
}
