import Foundation
import Metrics
import Synchronization

/// The extractive answerer's memory of sentence vectors: a sentence of a stored chunk always
/// embeds to the same vector, and the passages that answer a service's questions recur, so
/// each sentence is embedded once rather than on every answer. Bounded: past `capacity`
/// sentences the oldest entries go first (FIFO). Safe to use from many tasks.
///
/// Metrics: `lore_extractive_sentence_vectors_total{result="hit"|"miss"}`.
public final class SentenceVectorCache: @unchecked Sendable {
    /// The most sentences kept (each 4 bytes per dimension: 384 dimensions, 1.5 KiB).
    public let capacity: Int
    private struct State {
        var vectors: [String: [Float]] = [:]
        var order: [String] = []
        var oldest = 0
    }
    private let state: Mutex<State>

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        var initial = State()
        initial.vectors.reserveCapacity(min(self.capacity, 1 << 16))
        state = Mutex(initial)
    }

    /// The vectors known for `texts` (nil where unknown).
    public func lookup(_ texts: [String]) -> [[Float]?] {
        let found = state.withLock { s in texts.map { s.vectors[$0] } }
        let hits = found.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        if hits > 0 { Counter(label: "lore_extractive_sentence_vectors_total", dimensions: [("result", "hit")]).increment(by: hits) }
        if hits < texts.count {
            Counter(label: "lore_extractive_sentence_vectors_total", dimensions: [("result", "miss")]).increment(by: texts.count - hits)
        }
        return found
    }

    /// Remembers `vector` for `text`, forgetting the oldest entry when full.
    public func store(_ text: String, _ vector: [Float]) {
        guard capacity > 0 else { return }
        let capacity = self.capacity
        state.withLock { s in
            guard s.vectors[text] == nil else { return }
            if s.order.count < capacity {
                s.order.append(text)
            } else {
                s.vectors[s.order[s.oldest]] = nil
                s.order[s.oldest] = text
                s.oldest = (s.oldest + 1) % capacity
            }
            s.vectors[text] = vector
        }
    }

    /// Sentences held now.
    public var count: Int {
        state.withLock { $0.vectors.count }
    }
}
