import Foundation
import Logging
import LoreEmbedHTTP
import LoreIndex
import LoreIngest
import LoreStore

/// `lore reindex`: re-embeds a collection with the configured embedder, switches to the new
/// vectors atomically and rebuilds the index for the new model.
public enum ReindexCommand {
    /// Re-embeds `collection` (default: the configuration's); `progress` draws a bar on
    /// standard error. Prints the report (JSON with `json`); status 1 when the vectors were
    /// switched but the index could not be rebuilt.
    public static func run(collection: String?, json: Bool, progress showProgress: Bool, config: LoreConfiguration) async throws
        -> CommandOutput
    {
        guard let embedder = try await EmbedderFactory.make(config) else { throw UsageError("--embedder none cannot reindex") }
        let store = try Store(path: config.database)
        let name = collection ?? config.collection
        let progress = ProgressBar(enabled: showProgress)
        let report: ReindexReport
        do {
            report = try await Reindexer(embedder: embedder).run(collection: name, store: store) { done, total in
                if done == 0 || progress.total == 0 { progress.start(total: total) }
                progress.set(done: done)
            }
        } catch let e as EmbeddingServiceError {
            progress.finish()
            throw CommandFailure(description: "\(e.description); the collection keeps its current vectors, and a new run resumes")
        } catch let e as StoreError {
            progress.finish()
            throw CommandFailure(description: e.description)
        }
        progress.finish()
        var out = CommandOutput()
        // The new vectors replace the old ones, so the index is rebuilt for the new model.
        if let id = try store.existingCollectionID(named: name) {
            do {
                try IndexManager(store: store, settings: try config.index.settings(), logger: Logger(label: "lore.index")).sync(
                    collectionID: id)
            } catch {
                out.printError("error: the vectors were switched, but the index was not rebuilt: \(error) (lore index rebuild)\n")
                out.status = 1
                return out
            }
        }
        if json {
            out.print(String(decoding: try CommandText.encoder().encode(report), as: UTF8.self))
        } else {
            out.print(
                "reindexed \(report.collection): \(report.chunks) chunks, \(report.from ?? "no vectors") -> \(report.to); embedded \(report.embedded), \(report.cached) from the cache, in \(String(format: "%.2f", report.durationSeconds)) s"
            )
        }
        return out
    }
}
