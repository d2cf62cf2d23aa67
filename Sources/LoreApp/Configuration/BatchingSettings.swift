import Foundation
import LoreCore
import LoreRetrieval

/// Shared encoder batches (`batching:` in the configuration): in `lore serve` and the other
/// query commands, requests in flight share the in-process model's batches (questions and
/// the extractive answerer's sentences). See `SharedBatches`.
///
/// ```yaml
/// batching:
///   max_texts: 32     # the most texts in a shared batch (0: no sharing)
///   max_wait_ms: 0    # how long a batch that is not full may wait for company (0: never)
///   concurrent: 0     # batches at once (0: one per core)
/// ```
public struct BatchingSettings: Codable, Equatable, Sendable {
    public var maxTexts = 32
    public var maxWaitMs = 0.0
    public var concurrent = 0

    public enum CodingKeys: String, CodingKey { case maxTexts = "max_texts", maxWaitMs = "max_wait_ms", concurrent }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxTexts = try c.decodeIfPresent(Int.self, forKey: .maxTexts) ?? d.maxTexts
        maxWaitMs = try c.decodeIfPresent(Double.self, forKey: .maxWaitMs) ?? d.maxWaitMs
        concurrent = try c.decodeIfPresent(Int.self, forKey: .concurrent) ?? d.concurrent
    }

    /// Refuses values out of range, naming the key.
    public func validate() throws {
        guard (0...4096).contains(maxTexts) else {
            throw ConfigurationError(description: "batching.max_texts must be between 0 and 4096, not \(maxTexts)")
        }
        guard maxWaitMs.isFinite, (0...10_000).contains(maxWaitMs) else {
            throw ConfigurationError(description: "batching.max_wait_ms must be between 0 and 10000, not \(maxWaitMs)")
        }
        guard (0...1024).contains(concurrent) else {
            throw ConfigurationError(description: "batching.concurrent must be between 0 and 1024, not \(concurrent)")
        }
    }

    /// `embedder` behind shared batches, when it computes in process and sharing is on;
    /// `embedder` itself otherwise.
    public func wrap(_ embedder: any Embedder) -> any Embedder {
        guard maxTexts > 0, let local = embedder as? any SynchronousEmbedder else { return embedder }
        return SharedBatches(
            local, maxTexts: maxTexts, maxWait: .microseconds(Int64((maxWaitMs * 1000).rounded())),
            concurrent: concurrent > 0 ? concurrent : ProcessInfo.processInfo.activeProcessorCount)
    }
}
