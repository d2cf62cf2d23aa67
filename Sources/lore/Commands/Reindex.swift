import ArgumentParser
import Foundation
import LoreApp

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
        let config = try global.configuration(embedding)
        let progress = !json && isatty(STDERR_FILENO) == 1
        try await Output.emit { try await ReindexCommand.run(collection: collection, json: json, progress: progress, config: config) }
    }
}
