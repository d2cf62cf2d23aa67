import Foundation
import LoreOps
import LoreRetrieval

/// A canary rollout (`canary:` in the configuration): a share of live traffic, sticky per
/// user or conversation, runs a candidate, which is promoted or rolled back automatically
/// (`lore canary status`). Off while no candidate is named.
///
/// ```yaml
/// canary:
///   backend: llm             # the candidate: a backend, a prompt version, retrieval settings (as shadow:)
///   share: 0.1               # the share of users (or conversations) routed to it
///   min_requests: 100        # candidate requests before a promotion
///   rollback_min_requests: 20  # candidate requests before a rollback
///   cooldown_s: 300          # seconds before a promotion
///   confidence: 0.95         # how sure a rollback must be
///   thresholds: {error_rate: 0.02, refusal_rate: 0.1, negative_feedback_rate: 0.05, unsupported_rate: 0.05, p95_latency_ratio: 1.5}
/// ```
public struct CanarySettings: Codable, Equatable, Sendable {
    public var prompt: String?
    public var backend: String?
    public var retrieval = ShadowSettings.Retrieval()
    /// A published version's name: on a replica, the canary arm answers from that version.
    public var indexVersion: String?
    public var share = 0.1
    public var minRequests = 100
    public var rollbackMinRequests = 20
    public var cooldownSeconds = 300.0
    public var confidence = 0.95
    public var thresholds = CanaryController.Thresholds()

    public enum CodingKeys: String, CodingKey {
        case prompt, backend, retrieval, indexVersion = "index_version", share, minRequests = "min_requests", rollbackMinRequests =
            "rollback_min_requests"
        case cooldownSeconds = "cooldown_s", confidence, thresholds
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt)
        backend = try c.decodeIfPresent(String.self, forKey: .backend)
        retrieval = try c.decodeIfPresent(ShadowSettings.Retrieval.self, forKey: .retrieval) ?? d.retrieval
        indexVersion = try c.decodeIfPresent(String.self, forKey: .indexVersion)
        share = try c.decodeIfPresent(Double.self, forKey: .share) ?? d.share
        minRequests = try c.decodeIfPresent(Int.self, forKey: .minRequests) ?? d.minRequests
        rollbackMinRequests = try c.decodeIfPresent(Int.self, forKey: .rollbackMinRequests) ?? d.rollbackMinRequests
        cooldownSeconds = try c.decodeIfPresent(Double.self, forKey: .cooldownSeconds) ?? d.cooldownSeconds
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? d.confidence
        thresholds = try c.decodeIfPresent(CanaryController.Thresholds.self, forKey: .thresholds) ?? d.thresholds
    }

    /// The candidate these settings name (the same overrides as a shadow candidate).
    var asShadow: ShadowSettings {
        var s = ShadowSettings()
        s.prompt = prompt
        s.backend = backend
        s.retrieval = retrieval
        s.indexVersion = indexVersion
        return s
    }

    /// Whether a candidate is named.
    public var enabled: Bool { asShadow.enabled }

    /// Refuses values out of range, naming the key.
    public func validate() throws {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(description: "canary." + message) }
        do { try asShadow.validate() } catch let e as ConfigurationError {
            throw ConfigurationError(description: e.description.replacingOccurrences(of: "shadow.", with: "canary."))
        }
        guard (0...1).contains(share) else { throw fail("share must be between 0 and 1, not \(share)") }
        guard minRequests >= 1 else { throw fail("min_requests must be at least 1, not \(minRequests)") }
        guard rollbackMinRequests >= 1 else { throw fail("rollback_min_requests must be at least 1, not \(rollbackMinRequests)") }
        guard cooldownSeconds >= 0 else { throw fail("cooldown_s must be 0 or more, not \(cooldownSeconds)") }
        guard confidence > 0.5 && confidence < 1 else { throw fail("confidence must be above 0.5 and below 1, not \(confidence)") }
        let t = thresholds
        for (name, v) in [
            ("error_rate", t.errorRate), ("refusal_rate", t.refusalRate), ("negative_feedback_rate", t.negativeFeedbackRate),
            ("unsupported_rate", t.unsupportedRate)
        ] where !(0...1).contains(v) {
            throw fail("thresholds.\(name) must be between 0 and 1, not \(v)")
        }
        guard t.p95LatencyRatio == 0 || t.p95LatencyRatio >= 1 else {
            throw fail("thresholds.p95_latency_ratio must be 0 (off) or at least 1, not \(t.p95LatencyRatio)")
        }
    }

    /// The controller's settings.
    public var controller: CanaryController.Settings {
        var s = CanaryController.Settings(candidate: asShadow.candidate)
        s.share = share
        s.minRequests = minRequests
        s.rollbackMinRequests = rollbackMinRequests
        s.cooldown = cooldownSeconds
        s.confidence = confidence
        s.thresholds = thresholds
        return s
    }
}
