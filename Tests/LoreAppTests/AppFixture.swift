import Foundation
import LoreApp
import LoreTestSupport

/// The demo corpus ingested once (by the real `lore ingest`), and the server's composition
/// over it, in process: the router every in-process API test drives.
final class AppFixture: Sendable {
    static let shared = AppFixture()
    let directory = TemporaryDirectory("lore-app")
    let database: String

    private init() {
        database = directory.path + "/corpus.db"
        let r = try! runLore(["ingest", TestPaths.corpus, "--db", database, "--json"])
        precondition(r.status == 0, "ingest failed: \(r.stderr)")
    }

    /// The configuration of a server of the fixture's store: keyless on loopback unless `keys`.
    func configuration(unauthenticated: Bool = true) -> LoreConfiguration {
        var config = LoreConfiguration()
        config.database = database
        config.modelsDir = URL(fileURLWithPath: TestPaths.model).deletingLastPathComponent().path
        config.prompts.directory = TestPaths.repositoryRoot + "/prompts"
        if unauthenticated { config.server.auth = .unauthenticated }
        return config
    }

    func composition(_ config: LoreConfiguration? = nil) async throws -> ServerComposition {
        try await ServerComposition(config: config ?? configuration(), collection: nil, metrics: { "" })
    }
}
