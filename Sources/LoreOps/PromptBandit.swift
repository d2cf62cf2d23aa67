import Foundation
import Logging
import LoreCore
import LorePrompts
import LoreStore
import Metrics
import Synchronization

/// Thompson sampling over prompt versions (`prompts.bandit: thompson`): each split's weights
/// become the probability that each version is the best, given users' ratings of its answers
/// in the request log.
///
/// Each version's rate of good answers has a Beta(1 + good, 1 + bad) posterior. `refresh()`
/// draws from every posterior `draws` times and counts how often each version's draw is the
/// highest: that share is its weight. Assignment stays sticky per user or conversation (the
/// split's hashed point falls in the new intervals), so this is probability matching with
/// sticky arms rather than a fresh draw per request: a user's prompt changes only when the
/// weights move past their point. `floor` keeps every version in play (each gets at least
/// that share), so a version rated badly early can still recover. Versions with no ratings
/// share equally, as the configured split does not: the bandit starts from no preference.
public final class PromptBandit: Sendable {
    public struct Settings: Sendable, Equatable {
        /// name → the versions the bandit chooses between (a configured split's versions).
        public var arms: [String: [String]]
        /// Seconds between recomputations.
        public var refresh: Double
        /// The least share any version keeps.
        public var floor: Double
        /// Posterior draws per recomputation.
        public var draws: Int

        public init(arms: [String: [String]], refresh: Double = 60, floor: Double = 0.05, draws: Int = 20_000) {
            self.arms = arms
            self.refresh = refresh
            self.floor = floor
            self.draws = draws
        }
    }

    public let settings: Settings
    /// The weights the registries of the server read.
    public let live = LiveSplitWeights()
    private let store: LockedStore
    private let loop = Mutex<Task<Void, Never>?>(nil)
    private let logger = Logger(label: "lore.prompts.bandit")

    /// Reads ratings from the request log at `path`.
    public init(path: String, settings: Settings) throws {
        self.settings = settings
        store = LockedStore(try Store(path: path, readOnly: true))
    }

    /// Recomputes every name's weights from the ratings now, and returns them.
    @discardableResult
    public func refresh() -> [String: [String: Int]] {
        var generator = SystemRandomNumberGenerator()
        var all: [String: [String: Int]] = [:]
        for (name, versions) in settings.arms.sorted(by: { $0.key < $1.key }) {
            let counts: [String: (good: Int, bad: Int)]
            do { counts = try store.withLock { try $0.ratingCounts(promptName: name) } } catch {
                logger.error("could not read ratings; weights unchanged", metadata: ["prompt": "\(name)", "error": "\(error)"])
                continue
            }
            let arms = versions.map { counts[$0] ?? (0, 0) }
            let shares = Self.floored(Self.probabilityBest(arms, draws: settings.draws, using: &generator), floor: settings.floor)
            var weights: [String: Int] = [:]
            for (version, share) in zip(versions, shares) {
                weights[version] = max(1, Int((share * 10_000).rounded()))
                Gauge(label: "lore_prompt_bandit_share", dimensions: [("prompt", name), ("version", version)]).record(share)
            }
            live.set(name, weights: weights)
            all[name] = weights
            logger.info(
                "prompt weights from ratings",
                metadata: [
                    "prompt": "\(name)",
                    "weights": "\(versions.map { "\($0)=\(weights[$0]!)" }.joined(separator: " "))",
                    "ratings": "\(versions.map { "\($0)=+\(counts[$0]?.good ?? 0)/-\(counts[$0]?.bad ?? 0)" }.joined(separator: " "))"
                ])
        }
        return all
    }

    /// Refreshes now and then every `settings.refresh` seconds, until `stop()`.
    public func start() {
        refresh()
        let interval = settings.refresh
        let task = Task.detached(priority: .background) { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                guard let self, !Task.isCancelled else { return }
                self.refresh()
            }
        }
        loop.withLock {
            $0?.cancel(); $0 = task
        }
    }

    public func stop() {
        loop.withLock {
            $0?.cancel(); $0 = nil
        }
    }

    /// The share of `draws` joint draws from the arms' Beta(1 + good, 1 + bad) posteriors in
    /// which each arm's draw is the highest.
    public static func probabilityBest<G: RandomNumberGenerator>(_ arms: [(good: Int, bad: Int)], draws: Int, using g: inout G)
        -> [Double]
    {
        guard arms.count > 1, draws > 0 else { return arms.map { _ in 1 / Double(max(1, arms.count)) } }
        var wins = [Int](repeating: 0, count: arms.count)
        for _ in 0..<draws {
            var best = 0, top = -1.0
            for (i, a) in arms.enumerated() {
                let x = beta(Double(1 + a.good), Double(1 + a.bad), using: &g)
                if x > top { (best, top) = (i, x) }
            }
            wins[best] += 1
        }
        return wins.map { Double($0) / Double(draws) }
    }

    /// `shares` with each raised to at least `floor`, the rest scaled to keep the sum 1.
    public static func floored(_ shares: [Double], floor: Double) -> [Double] {
        let n = Double(shares.count)
        guard n > 0, floor > 0, floor * n < 1 else { return shares }
        return shares.map { floor + (1 - floor * n) * $0 }
    }

    /// A draw from Beta(a, b), as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    public static func beta<G: RandomNumberGenerator>(_ a: Double, _ b: Double, using g: inout G) -> Double {
        let x = gamma(a, using: &g), y = gamma(b, using: &g)
        return x / (x + y)
    }

    /// A draw from Gamma(shape, 1) for shape ≥ 1 (Marsaglia and Tsang, 2000).
    static func gamma<G: RandomNumberGenerator>(_ shape: Double, using g: inout G) -> Double {
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal(using: &g)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = Double.random(in: Double.ulpOfOne..<1, using: &g)
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A standard normal draw (Box-Muller).
    static func normal<G: RandomNumberGenerator>(using g: inout G) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &g), u2 = Double.random(in: 0..<1, using: &g)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
