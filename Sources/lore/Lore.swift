import ArgumentParser
import LoreApp

/// The `lore` command: a thin front over the ingestor and the store.
@main
struct Lore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lore",
        abstract: "Lore: retrieval-augmented generation in one binary and one SQLite file.",
        version: LoreVersion.current,
        subcommands: [
            Ingest.self, Query.self, Chat.self, Serve.self, Versions.self, Keys.self, Eval.self, Prompts.self, Guard.self, Reindex.self,
            IndexCommand.self, Extract.self, Stats.self, Requests.self, Feedback.self, Shadow.self, Canary.self, Embed.self, Bench.self,
            Config.self
        ]
    )
}
