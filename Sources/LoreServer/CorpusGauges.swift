import LoreStore
import Metrics

/// The size of what the server answers from, refreshed on each `/metrics` scrape from a
/// read-only connection of its own: `lore_documents{collection}`, `lore_chunks{collection}`
/// and `lore_vectors{model}`.
public struct CorpusGauges: Sendable {
    let database: String

    public init(database: String) { self.database = database }

    /// Reads the store's counts into the gauges; a store that cannot be read leaves them as
    /// they were (and `/readyz` reports it).
    public func refresh() {
        guard let store = try? Store(path: database, readOnly: true), let stats = try? store.stats() else { return }
        for c in stats.collections {
            Gauge(label: "lore_documents", dimensions: [("collection", c.name)]).record(c.documents)
            Gauge(label: "lore_chunks", dimensions: [("collection", c.name)]).record(c.chunks)
        }
        for (model, count) in stats.vectorsByModel {
            Gauge(label: "lore_vectors", dimensions: [("model", model)]).record(count)
        }
    }
}
