import ArgumentParser
import Foundation
import LoreApp
import LoreCore
import LoreEmbed

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
        var config = try global.configuration()
        try embedding.apply(to: &config)
        var inputs = texts
        if let file {
            let data: Data?
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                data = FileManager.default.contents(atPath: file)
            }
            guard let data else { throw CommandFailure(description: "cannot read \(file)") }
            inputs += String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if inputs.last == "" { inputs.removeLast() }
        }
        guard !inputs.isEmpty else { throw ValidationError("give texts as arguments or with --file") }
        guard let embedder = try await EmbedderFactory.make(config) else {
            throw ValidationError("lore embed needs an embedder (not none)")
        }
        let vectors = try await embedder.embed(inputs)
        for (text, v) in zip(inputs, vectors) {
            let numbers = v.map { String(format: "%.7g", $0) }.joined(separator: ",")
            if json {
                print("[\(numbers)]")
            } else {
                print(
                    "\(text.prefix(60).replacingOccurrences(of: "\n", with: " "))\t[\(v.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", ")), ...] (\(v.count) dims)"
                )
            }
        }
    }
}
