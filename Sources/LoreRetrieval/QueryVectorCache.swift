import Foundation
import LoreCore
import Metrics
import Synchronization

/// A bounded memory of question vectors in front of an embedder: the exact text of a
/// question maps to the vector its model gave it, least recently used first out, within a
/// byte budget. Users repeat questions (a help desk's top questions, a dashboard's fixed
/// ones), and a repeated question then costs a lookup instead of a forward pass.
///
/// Per model: the cache is the embedder's (`modelID` is the base's), so two models never
/// share entries. Only questions go through it: the extractive answerer's sentences have
/// their own cache, and ingest embeds without one.
///
/// Metrics: `lore_query_vector_cache_total{result="hit"|"miss"}`, the gauges
/// `lore_query_vector_cache_bytes`, `lore_query_vector_cache_entries` and
/// `lore_query_vector_cache_hit_ratio` (hits over lookups since start).
public final class QueryVectorCache: EmbedderWrapper {
    /// The embedder behind the cache.
    public let base: any Embedder
    /// The most bytes the entries may take (texts, vectors and bookkeeping).
    public let capacityBytes: Int

    public var wrapped: any Embedder { base }
    public var modelID: String { base.modelID }
    public var dimension: Int { base.dimension }

    /// A doubly linked LRU list over slots of arrays (no per-entry allocation but the text's
    /// and the vector's own).
    struct State {
        var slots: [String: Int] = [:]
        var texts: [String] = []
        var vectors: [[Float]] = []
        var previous: [Int] = []
        var next: [Int] = []
        var free: [Int] = []
        /// Most recently used; -1 when empty.
        var head = -1
        /// Least recently used; -1 when empty.
        var tail = -1
        var bytes = 0
        var hits = 0
        var lookups = 0

        mutating func unlink(_ i: Int) {
            if previous[i] >= 0 { next[previous[i]] = next[i] } else { head = next[i] }
            if next[i] >= 0 { previous[next[i]] = previous[i] } else { tail = previous[i] }
        }

        mutating func pushFront(_ i: Int) {
            previous[i] = -1
            next[i] = head
            if head >= 0 { previous[head] = i }
            head = i
            if tail < 0 { tail = i }
        }
    }
    private let state = Mutex(State())

    /// The bytes one entry of `text` takes: its UTF-8, its vector, and the slot's bookkeeping
    /// (the dictionary entry, the list links, two string headers).
    static func cost(_ text: String, dimension: Int) -> Int { text.utf8.count + dimension * 4 + 96 }

    /// A cache of at most `capacityBytes` in front of `base`.
    public init(_ base: any Embedder, capacityBytes: Int) {
        self.base = base
        self.capacityBytes = max(0, capacityBytes)
    }

    /// The vectors of `texts`: the known ones from memory, the others from the base embedder
    /// in one call (each distinct text once), remembered for next time.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard capacityBytes > 0 else { return try await base.embed(texts) }
        var found = lookup(texts)
        var missing: [String] = []
        var seen = Set<String>()
        for (i, v) in found.enumerated() where v == nil && seen.insert(texts[i]).inserted { missing.append(texts[i]) }
        guard !missing.isEmpty else { return found.map { $0! } }
        let computed = try await base.embed(missing)
        guard computed.count == missing.count else {
            throw RetrievalError("\(base.modelID) returned \(computed.count) vectors for \(missing.count) texts")
        }
        var byText: [String: [Float]] = [:]
        for (text, vector) in zip(missing, computed) {
            byText[text] = vector
            store(text, vector)
        }
        for i in found.indices where found[i] == nil { found[i] = byText[texts[i]] }
        return found.map { $0! }
    }

    /// The vectors known for `texts` (nil where unknown); a hit becomes the most recent.
    func lookup(_ texts: [String]) -> [[Float]?] {
        let (found, hits, ratio) = state.withLock { s -> ([[Float]?], Int, Double) in
            var hits = 0
            let found = texts.map { text -> [Float]? in
                guard let i = s.slots[text] else { return nil }
                hits += 1
                s.unlink(i)
                s.pushFront(i)
                return s.vectors[i]
            }
            s.hits += hits
            s.lookups += texts.count
            return (found, hits, s.lookups > 0 ? Double(s.hits) / Double(s.lookups) : 0)
        }
        if hits > 0 { Counter(label: "lore_query_vector_cache_total", dimensions: [("result", "hit")]).increment(by: hits) }
        if hits < texts.count {
            Counter(label: "lore_query_vector_cache_total", dimensions: [("result", "miss")]).increment(by: texts.count - hits)
        }
        Gauge(label: "lore_query_vector_cache_hit_ratio").record(ratio)
        return found
    }

    /// Remembers `vector` for `text` as the most recent entry, forgetting the least recently
    /// used ones until the entries fit the budget. A text larger than the whole budget is
    /// not kept.
    func store(_ text: String, _ vector: [Float]) {
        let cost = Self.cost(text, dimension: vector.count)
        guard cost <= capacityBytes else { return }
        let capacity = capacityBytes
        let (bytes, entries) = state.withLock { s -> (Int, Int) in
            if s.slots[text] == nil {
                while s.bytes + cost > capacity, s.tail >= 0 {
                    let old = s.tail
                    s.unlink(old)
                    s.bytes -= Self.cost(s.texts[old], dimension: s.vectors[old].count)
                    s.slots[s.texts[old]] = nil
                    s.texts[old] = ""
                    s.vectors[old] = []
                    s.free.append(old)
                }
                let i: Int
                if let reused = s.free.popLast() {
                    i = reused
                    s.texts[i] = text
                    s.vectors[i] = vector
                } else {
                    i = s.texts.count
                    s.texts.append(text)
                    s.vectors.append(vector)
                    s.previous.append(-1)
                    s.next.append(-1)
                }
                s.slots[text] = i
                s.bytes += cost
                s.pushFront(i)
            }
            return (s.bytes, s.slots.count)
        }
        Gauge(label: "lore_query_vector_cache_bytes").record(Double(bytes))
        Gauge(label: "lore_query_vector_cache_entries").record(Double(entries))
    }

    /// Entries held now.
    public var count: Int { state.withLock { $0.slots.count } }

    /// Bytes the entries take now (by `cost`).
    public var bytes: Int { state.withLock { $0.bytes } }

    /// Whether `text` is held (does not count as a use).
    public func contains(_ text: String) -> Bool { state.withLock { $0.slots[text] != nil } }
}
