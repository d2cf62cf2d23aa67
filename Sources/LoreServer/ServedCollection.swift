import LoreQuery
import LoreRetrieval

/// The collection a server answers from, with its query pipeline and retrieval defaults
/// (the configuration's `retrieval:` section; request fields override them).
public struct ServedCollection: Sendable {
    public let service: QueryService
    public let name: String
    public let defaults: RetrievalOptions
    /// True when the collection has no vectors: only lexical retrieval works.
    public let lexicalOnly: Bool
    /// The published index version it answers from (`lore serve --published`); nil when
    /// the server serves a store directly.
    public let version: String?

    public init(service: QueryService, name: String, defaults: RetrievalOptions, lexicalOnly: Bool, version: String? = nil) {
        self.service = service
        self.name = name
        self.defaults = defaults
        self.lexicalOnly = lexicalOnly
        self.version = version
    }
}
