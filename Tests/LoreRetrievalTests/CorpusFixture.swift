import Foundation
import LoreCore
import LoreEmbed
import LoreIndex
import LoreRetrieval
import LoreStore
import LoreTestSupport

/// `corpus/` ingested once by the real `lore` binary into a temporary store; each test
/// opens its own connection and retriever over it.
final class CorpusFixture: @unchecked Sendable {
    static let shared = CorpusFixture()

    let directory = TemporaryDirectory("lore-retrieval")
    let database: String
    let embedder: MiniLMEmbedder

    private init() {
        database = directory.path + "/corpus.db"
        let result = try! runLore(["ingest", TestPaths.corpus, "--db", database, "--json"])
        precondition(result.status == 0, "ingest failed: \(result.stderr)")
        embedder = try! MiniLMEmbedder(modelDirectory: TestPaths.model)
    }

    /// A new connection to the store, the default collection's id, and a retriever over it.
    func open(embedder: (any Embedder)? = nil) throws -> (Store, Int64, Retriever) {
        let store = try Store(path: database)
        let id = try store.existingCollectionID(named: "default")!
        let index = try IndexManager(store: store).load(collectionID: id)
        let retriever = try Retriever(store: store, collectionID: id, index: index, embedder: embedder ?? self.embedder)
        return (store, id, retriever)
    }

    /// File name of a source (`/x/y/faq.jsonl#3` → `faq.jsonl`).
    static func file(_ source: String) -> String {
        let path = source.split(separator: "#").first.map(String.init) ?? source
        return (path as NSString).lastPathComponent
    }
}
