import Foundation
import Logging
import LoreCore
import LorePrompts
import LoreQuery
import LoreStore
import Metrics
import Synchronization

/// A canary rollout (`canary:` in the configuration): a share of live traffic, sticky per
/// user or conversation, runs the candidate; the two arms are compared on error rate, p95
/// latency, refusal rate, negative feedback and unsupported answers; the canary is
/// promoted after enough requests with every comparison within its threshold, and rolled
/// back as soon as one is worse beyond its threshold with the configured confidence.
///
/// A decision is final for the candidate (it survives restarts, in `canary_runs`) until
/// `lore canary reset`: promoted, every request runs the candidate; rolled back, none does.
/// The minimum sample sizes and the cool-down before a promotion keep noise from deciding.
/// Decisions are logged, counted (`lore_canary_decisions_total{decision}`), stored in
/// `canary_decisions` beside the request log, and every logged request names its arm.
public final class CanaryController: QueryRouter, @unchecked Sendable {
    /// How much worse than the primary the candidate may be, per comparison.
    public struct Thresholds: Sendable, Equatable, Codable {
        /// The largest allowed increase of each rate (absolute: 0.02 is two points).
        public var errorRate = 0.02
        public var refusalRate = 0.10
        public var negativeFeedbackRate = 0.05
        public var unsupportedRate = 0.05
        /// The largest allowed ratio of the candidate's p95 latency to the primary's (0: not compared).
        public var p95LatencyRatio = 1.5

        public init() {}

        public enum CodingKeys: String, CodingKey {
            case errorRate = "error_rate", refusalRate = "refusal_rate", negativeFeedbackRate = "negative_feedback_rate"
            case unsupportedRate = "unsupported_rate", p95LatencyRatio = "p95_latency_ratio"
        }

        /// Missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            let d = Self()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            errorRate = try c.decodeIfPresent(Double.self, forKey: .errorRate) ?? d.errorRate
            refusalRate = try c.decodeIfPresent(Double.self, forKey: .refusalRate) ?? d.refusalRate
            negativeFeedbackRate = try c.decodeIfPresent(Double.self, forKey: .negativeFeedbackRate) ?? d.negativeFeedbackRate
            unsupportedRate = try c.decodeIfPresent(Double.self, forKey: .unsupportedRate) ?? d.unsupportedRate
            p95LatencyRatio = try c.decodeIfPresent(Double.self, forKey: .p95LatencyRatio) ?? d.p95LatencyRatio
        }
    }

    public struct Settings: Sendable, Equatable {
        public var candidate: ShadowCandidate
        /// The share of users (or conversations) routed to the candidate, 0...1.
        public var share = 0.1
        /// Candidate requests before a promotion.
        public var minRequests = 100
        /// Candidate requests before a rollback.
        public var rollbackMinRequests = 20
        /// Seconds the canary runs before it may be promoted.
        public var cooldown = 300.0
        /// How sure a rollback must be that the candidate is worse (one-sided).
        public var confidence = 0.95
        public var thresholds = Thresholds()

        public init(candidate: ShadowCandidate) { self.candidate = candidate }
    }

    public enum State: String, Sendable, Codable { case running, promoted, rolledBack = "rolled_back" }

    /// One arm's counts.
    public struct ArmStats: Sendable, Equatable, Codable {
        public var requests = 0
        public var failures = 0
        public var refusals = 0
        public var negativeFeedback = 0
        public var unsupported = 0
        /// Latencies of the last answered requests, in ms (the p95's window).
        public var latencies: [Double] = []
        public var p95Ms: Double? {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
        }

        public enum CodingKeys: String, CodingKey {
            case requests, failures, refusals, negativeFeedback = "negative_feedback", unsupported, p95Ms = "p95_ms"
        }
        public init() {}
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            requests = try c.decode(Int.self, forKey: .requests)
            failures = try c.decode(Int.self, forKey: .failures)
            refusals = try c.decode(Int.self, forKey: .refusals)
            negativeFeedback = try c.decode(Int.self, forKey: .negativeFeedback)
            unsupported = try c.decode(Int.self, forKey: .unsupported)
            if let p95 = try c.decodeIfPresent(Double.self, forKey: .p95Ms) { latencies = [p95] }
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(requests, forKey: .requests)
            try c.encode(failures, forKey: .failures)
            try c.encode(refusals, forKey: .refusals)
            try c.encode(negativeFeedback, forKey: .negativeFeedback)
            try c.encode(unsupported, forKey: .unsupported)
            try c.encodeIfPresent(p95Ms, forKey: .p95Ms)
        }
    }

    /// Both arms, as stored in `canary_runs.stats` and shown by `lore canary status`.
    public struct Stats: Sendable, Equatable, Codable {
        public var primary = ArmStats()
        public var canary = ArmStats()
        public init() {}
    }

    public let settings: Settings
    /// The candidate's name (`canary_runs.candidate`).
    public let label: String
    private let store: LockedStore?
    private let logger: Logger
    private let z: Double
    private struct Inner {
        var state: State = .running
        var reason = ""
        var startedAt = Date().timeIntervalSince1970
        var decidedAt: Double?
        var stats = Stats()
        /// Recent request ids and their arm, for feedback (bounded, oldest dropped).
        var arms: [String: QueryArm] = [:]
        var order: [String] = []
        var head = 0
        var lastSaved = 0.0
    }
    private let inner = Mutex(Inner())
    private static let remembered = 100_000
    private static let latencyWindow = 1_000

    /// The run continues from `canary_runs` in the store at `path` (the request log's): a
    /// decided canary stays decided. Nil `path`: nothing is persisted (tests of the rules).
    public init(settings: Settings, path: String?, logger: Logger = Logger(label: "lore.canary")) throws {
        self.settings = settings
        self.label = settings.candidate.label
        self.logger = logger
        self.z = Self.normalQuantile(settings.confidence)
        if let path {
            let store = try Store(path: path)
            if let run = try store.canaryRun(candidate: label) {
                inner.withLock {
                    $0.state = State(rawValue: run.state) ?? .running
                    $0.reason = run.reason
                    $0.startedAt = run.startedAt
                    $0.decidedAt = run.decidedAt
                }
            } else {
                let now = Date().timeIntervalSince1970
                try store.saveCanaryRun(CanaryRun(candidate: label, state: State.running.rawValue, startedAt: now, updatedAt: now))
                inner.withLock { $0.startedAt = now }
            }
            self.store = LockedStore(store)
        } else {
            self.store = nil
        }
        let state = inner.withLock { $0.state }
        Gauge(label: "lore_canary_state").record(Self.gaugeValue(state))
        logger.info("canary", metadata: ["candidate": "\(label)", "state": "\(state.rawValue)", "share": "\(settings.share)"])
    }

    public var state: State { inner.withLock { $0.state } }
    public var stats: Stats { inner.withLock { $0.stats } }
    public var reason: String { inner.withLock { $0.reason } }

    // MARK: Routing

    public func route(_ request: QueryRequest) -> RoutedQuery {
        let arm: QueryArm
        switch state {
        case .promoted: arm = .canary
        case .rolledBack: arm = .primary
        case .running:
            let key = request.userKey ?? request.conversationID ?? request.origin.keyID ?? request.requestID
            arm = PromptSplit.point(name: "canary " + label, key: key) < settings.share ? .canary : .primary
        }
        return RoutedQuery(arm: arm, original: request, request: arm == .canary ? settings.candidate.overriding(request) : request)
    }

    public func observe(_ routed: RoutedQuery, outcome: QueryOutcome) {
        var failed = false, refused = false, unsupported = false, latency: Double? = nil
        switch outcome {
        case .failed: failed = true
        case .answered(let r):
            failed = r.finishReason == "incomplete"
            refused = r.refused
            unsupported = r.guardrailFindings.contains { $0.rule.contains("unsupported") }
            latency = r.timingsMs.total
        }
        Counter(
            label: "lore_canary_requests_total", dimensions: [("arm", routed.arm.rawValue), ("outcome", failed ? "failed" : "answered")]
        ).increment()
        let id = routed.original.requestID
        update { s in
            var a = routed.arm == .canary ? s.stats.canary : s.stats.primary
            a.requests += 1
            if failed { a.failures += 1 }
            if refused { a.refusals += 1 }
            if unsupported { a.unsupported += 1 }
            if let latency {
                a.latencies.append(latency)
                if a.latencies.count > Self.latencyWindow { a.latencies.removeFirst(a.latencies.count - Self.latencyWindow) }
            }
            if routed.arm == .canary { s.stats.canary = a } else { s.stats.primary = a }
            if s.arms[id] == nil {
                if s.order.count < Self.remembered {
                    s.order.append(id)
                } else {
                    s.arms[s.order[s.head]] = nil
                    s.order[s.head] = id
                    s.head = (s.head + 1) % Self.remembered
                }
            }
            s.arms[id] = routed.arm
        }
    }

    /// A rating of request `id` (`POST /v1/feedback`, `/bad` in the chat): a negative one
    /// counts against the arm that answered it.
    public func feedback(requestID id: String, rating: Int) {
        guard rating < 0 else { return }
        update { s in
            switch s.arms[id] {
            case .canary?: s.stats.canary.negativeFeedback += 1
            case .primary?: s.stats.primary.negativeFeedback += 1
            case nil: break
            }
        }
    }

    /// Applies `change`, then decides when the canary is running, and saves (at most once a
    /// second, and at every decision) off the request's path.
    private func update(_ change: (inout Inner) -> Void) {
        let now = Date().timeIntervalSince1970
        let (decision, save): ((State, String)?, CanaryRun?) = inner.withLock { s in
            change(&s)
            var decision: (State, String)? = nil
            if s.state == .running, let d = Self.decide(s.stats, settings: settings, z: z, elapsed: now - s.startedAt) {
                s.state = d.0
                s.reason = d.1
                s.decidedAt = now
                decision = d
            }
            guard decision != nil || now - s.lastSaved >= 1 else { return (decision, nil) }
            s.lastSaved = now
            return (
                decision,
                CanaryRun(
                    candidate: label, state: s.state.rawValue, reason: s.reason, startedAt: s.startedAt, updatedAt: now,
                    decidedAt: s.decidedAt, stats: Self.json(s.stats))
            )
        }
        if let (state, reason) = decision {
            Counter(label: "lore_canary_decisions_total", dimensions: [("decision", state.rawValue)]).increment()
            Gauge(label: "lore_canary_state").record(Self.gaugeValue(state))
            logger.warning("canary decision", metadata: ["candidate": "\(label)", "decision": "\(state.rawValue)", "reason": "\(reason)"])
        }
        guard let run = save, let store else { return }
        let record = decision.map {
            CanaryDecisionRecord(candidate: label, at: now, decision: $0.0.rawValue, reason: $0.1, stats: run.stats)
        }
        let logger = logger
        Task.detached(priority: .background) {
            do { try store.withLock { try $0.saveCanaryRun(run, decision: record) } } catch {
                logger.error("could not save the canary's state", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: The rules

    /// The decision the counts call for, if any: a rollback as soon as one comparison is
    /// worse beyond its threshold with confidence (one-sided, at `z`), after
    /// `rollbackMinRequests`; a promotion after `minRequests` and the cool-down when every
    /// comparison is within its threshold.
    public static func decide(_ stats: Stats, settings: Settings, z: Double, elapsed: Double) -> (State, String)? {
        let c = stats.canary, p = stats.primary, t = settings.thresholds
        let rates: [(String, Int, Int, Double)] = [
            ("error rate", c.failures, p.failures, t.errorRate), ("refusal rate", c.refusals, p.refusals, t.refusalRate),
            ("negative feedback rate", c.negativeFeedback, p.negativeFeedback, t.negativeFeedbackRate),
            ("unsupported rate", c.unsupported, p.unsupported, t.unsupportedRate)
        ]
        func rate(_ x: Int, _ n: Int) -> Double { n == 0 ? 0 : Double(x) / Double(n) }
        func describe(_ name: String, _ cx: Int, _ px: Int) -> String {
            name
                + String(
                    format: " %.3f (%d/%d) vs the primary's %.3f (%d/%d)", rate(cx, c.requests), cx, c.requests, rate(px, p.requests), px,
                    p.requests)
        }
        if c.requests >= settings.rollbackMinRequests {
            for (name, cx, px, threshold) in rates {
                let lower = differenceLowerBound(cx, c.requests, px, p.requests, z: z)
                if lower > threshold {
                    return (
                        .rolledBack,
                        describe(name, cx, px)
                            + String(
                                format: ": worse by at least %.3f at %.0f%% confidence, over the %.3f allowed", lower,
                                settings.confidence * 100, threshold)
                    )
                }
            }
            if t.p95LatencyRatio > 0, c.latencies.count >= settings.rollbackMinRequests, p.latencies.count >= settings.rollbackMinRequests,
                let cp = c.p95Ms, let pp = p.p95Ms, cp > t.p95LatencyRatio * pp, cp - pp > 50
            {
                return (
                    .rolledBack, String(format: "p95 latency %.0f ms vs the primary's %.0f ms: over %.2f times", cp, pp, t.p95LatencyRatio)
                )
            }
        }
        guard c.requests >= settings.minRequests, elapsed >= settings.cooldown else { return nil }
        for (_, cx, px, threshold) in rates where rate(cx, c.requests) - rate(px, p.requests) > threshold { return nil }
        if t.p95LatencyRatio > 0, let cp = c.p95Ms, let pp = p.p95Ms, cp > t.p95LatencyRatio * pp, cp - pp > 50 { return nil }
        return (
            .promoted,
            String(
                format: "%d candidate requests over %.0f s, every comparison within its threshold (error rate %.3f vs %.3f)", c.requests,
                elapsed, rate(c.failures, c.requests), rate(p.failures, p.requests))
        )
    }

    /// A one-sided lower confidence bound of (x1/n1 − x2/n2), Agresti–Caffo (one success and
    /// one failure added to each arm, so that 0/n and n/n keep a width). An arm with no
    /// requests counts as a rate of 0 known exactly.
    public static func differenceLowerBound(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int, z: Double) -> Double {
        guard n1 > 0 else { return -1 }
        let p1 = Double(x1 + 1) / Double(n1 + 2)
        var variance = p1 * (1 - p1) / Double(n1 + 2)
        var p2 = 0.0
        if n2 > 0 {
            p2 = Double(x2 + 1) / Double(n2 + 2)
            variance += p2 * (1 - p2) / Double(n2 + 2)
        }
        return p1 - p2 - z * variance.squareRoot()
    }

    /// The standard normal quantile (Abramowitz and Stegun 26.2.23, error below 4.5e-4).
    public static func normalQuantile(_ p: Double) -> Double {
        let q = min(max(p, 1e-9), 1 - 1e-9)
        let tail = q < 0.5 ? q : 1 - q
        let t = (-2 * log(tail)).squareRoot()
        let x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
        return q < 0.5 ? -x : x
    }

    static func gaugeValue(_ s: State) -> Double {
        switch s {
        case .running: 0
        case .promoted: 1
        case .rolledBack: -1
        }
    }

    static func json(_ stats: Stats) -> String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return (try? e.encode(stats)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// A store behind a lock, shared by the tasks that save the canary's state.
final class LockedStore: @unchecked Sendable {
    private let store: Store
    private let lock = NSLock()
    init(_ store: Store) { self.store = store }
    func withLock<T>(_ body: (Store) throws -> T) rethrows -> T { try lock.withLock { try body(store) } }
}
