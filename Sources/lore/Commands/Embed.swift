import ArgumentParser
import LoreApp

/// `lore embed`
struct Embed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print embeddings of texts (for debugging and scripts).")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var embedding: EmbedderOptions

    @Argument(help: "Texts to embed.")
    var texts: [String] = []

    @Option(name: .long, help: "Embed each line of this file (- for standard input).")
    var file: String?

    @Flag(name: .long, help: "Print one JSON array per text.")
    var json = false

    func run() async throws {
        try await Output.emit { try await EmbedCommand.run(texts: texts, file: file, json: json, config: global.configuration(embedding)) }
    }
}
