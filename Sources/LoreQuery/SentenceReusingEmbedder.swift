import Foundation
import LoreCore
import Metrics
import Synchronization

/// An embedder that first looks each text up among the sentence vectors stored at ingest
/// and embeds only the rest with `base`. The ingest-time injection scan embeds every
/// chunk's windows (a sentence or a few each), and a window that is one whole candidate
/// sentence was embedded by `SentenceVectorPass` moments before: through this embedder the
/// scan reads it instead (float16, a cosine within about 1e-4 of the fresh vector).
///
/// Metrics: `lore_ingest_reused_sentence_vectors_total` (texts read instead of embedded).
public final class SentenceReusingEmbedder: EmbedderWrapper {
    public let base: any Embedder
    public let stored: any SentenceVectorSource
    private let counts = Mutex((read: 0, embedded: 0))

    /// Texts read from the stored sentence vectors, and texts embedded, so far.
    public var reuse: (read: Int, embedded: Int) { counts.withLock { $0 } }

    public init(_ base: any Embedder, stored: any SentenceVectorSource) {
        self.base = base
        self.stored = stored
    }

    public var wrapped: any Embedder { base }
    public var modelID: String { base.modelID }
    public var dimension: Int { base.dimension }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        var out = stored.vectors(model: base.modelID, dimension: base.dimension, for: texts)
        let missing = out.indices.filter { out[$0] == nil }
        counts.withLock {
            $0.read += texts.count - missing.count
            $0.embedded += missing.count
        }
        if missing.count < texts.count {
            Counter(label: "lore_ingest_reused_sentence_vectors_total").increment(by: texts.count - missing.count)
        }
        if !missing.isEmpty {
            let fresh = try await base.embed(missing.map { texts[$0] })
            guard fresh.count == missing.count else {
                throw SentenceVectorError(description: "the embedder returned \(fresh.count) vectors for \(missing.count) texts")
            }
            for (k, i) in missing.enumerated() { out[i] = fresh[k] }
        }
        return out.map { $0 ?? [] }
    }
}
