import Synchronization

/// Split weights that replace the configured ones while the process runs: a bandit's
/// (`prompts.bandit: thompson`), recomputed from users' ratings. Shared by every registry
/// of a server (one per collection), so all collections follow the same weights.
public final class LiveSplitWeights: Sendable {
    private let splits = Mutex<[String: PromptSplit]>([:])

    public init() {}

    /// Replaces `name`'s weights (version → weight; a positive sum).
    public func set(_ name: String, weights: [String: Int]) {
        guard weights.values.reduce(0, +) > 0 else { return }
        let split = PromptSplit(name: name, weights: weights)
        splits.withLock { $0[name] = split }
    }

    /// The live split of `name`, if one was set.
    public func split(_ name: String) -> PromptSplit? { splits.withLock { $0[name] } }
}
