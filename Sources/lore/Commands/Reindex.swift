import ArgumentParser
import Foundation
import Logging
import LoreApp
import LoreEmbedHTTP
import LoreIndex
import LoreIngest
import LoreStore

/// `lore reindex`
struct Reindex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-embed a collection with another embedder and switch to the new vectors atomically.",
        discussion:
            "Until every chunk has its new vector, the old vectors stay in service; an interrupted reindex resumes where it stopped.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var embedding: EmbedderOptions

    @Option(name: .long, help: "The collection to re-embed. Default: default.")
    var collection: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        var config = try global.configuration()
        try embedding.apply(to: &config)
        guard let embedder = try await EmbedderFactory.make(config) else { throw ValidationError("--embedder none cannot reindex") }
        let store = try Store(path: config.database)
        let name = collection ?? config.collection
        let progress = ProgressBar(enabled: !json && isatty(STDERR_FILENO) == 1)
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
        // The new vectors replace the old ones, so the index is rebuilt for the new model.
        if let id = try store.existingCollectionID(named: name) {
            do {
                try IndexManager(store: store, settings: try config.index.settings(), logger: Logger(label: "lore.index")).sync(
                    collectionID: id)
            } catch {
                FileHandle.standardError.write(
                    Data("error: the vectors were switched, but the index was not rebuilt: \(error) (lore index rebuild)\n".utf8))
                throw ExitCode(1)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(
                "reindexed \(report.collection): \(report.chunks) chunks, \(report.from ?? "no vectors") -> \(report.to); embedded \(report.embedded), \(report.cached) from the cache, in \(String(format: "%.2f", report.durationSeconds)) s"
            )
        }
    }
}
