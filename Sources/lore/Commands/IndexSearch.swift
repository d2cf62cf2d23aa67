import ArgumentParser
import LoreApp

extension IndexCommand {
    /// `lore index search TEXT`: dense retrieval only, for checking what the index returns.
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embed TEXT and print the nearest chunks from the index (dense retrieval only), with optional metadata filters.")

        @OptionGroup var common: Common
        @OptionGroup var embedding: EmbedderOptions

        @Argument(help: "The text to search for.")
        var text: String

        @Option(name: .long, help: "Results to return (1 to 1000, default 10).")
        var k = 10

        @Option(name: .long, help: "Only documents whose source matches this glob (SQLite GLOB; repeatable).")
        var source: [String] = []

        @Option(
            name: .long,
            help:
                "Only documents of this format (txt, md, html, pdf, json, jsonl, csv, code, docx, pptx, xlsx, odt, ods, odp, epub; repeatable)."
        )
        var format: [String] = []

        @Option(name: .long, help: "Only documents whose metadata KEY equals VALUE (KEY=VALUE; repeatable).")
        var meta: [String] = []

        @Option(name: .long, help: "HNSW candidates for this search (default: index.ef_search).")
        var ef: Int?

        @Flag(name: .long, help: "Exact search over the stored vectors, ignoring the index.")
        var exact = false

        func run() async throws {
            let request = IndexSearchRequest(
                index: common.request, text: text, k: k, sources: source, formats: format, metadata: meta, ef: ef, exact: exact)
            try await Output.emit {
                try await IndexSearchCommand.run(request, configuration: { try common.global.configuration(embedding) })
            }
        }
    }
}
