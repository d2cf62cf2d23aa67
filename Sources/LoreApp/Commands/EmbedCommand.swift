import Foundation

/// `lore embed`: prints the embeddings of texts (for debugging and scripts).
public enum EmbedCommand {
    /// Embeds `texts`, then each line of `file` (`-`: standard input); one line per text with
    /// its first four numbers, or one JSON array per text with `json`.
    public static func run(texts: [String], file: String?, json: Bool, config: LoreConfiguration) async throws -> CommandOutput {
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
        guard !inputs.isEmpty else { throw UsageError("give texts as arguments or with --file") }
        guard let embedder = try await EmbedderFactory.make(config) else { throw UsageError("lore embed needs an embedder (not none)") }
        let vectors = try await embedder.embed(inputs)
        var out = CommandOutput()
        for (text, v) in zip(inputs, vectors) {
            let numbers = v.map { String(format: "%.7g", $0) }.joined(separator: ",")
            if json {
                out.print("[\(numbers)]")
            } else {
                out.print(
                    "\(text.prefix(60).replacingOccurrences(of: "\n", with: " "))\t[\(v.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", ")), ...] (\(v.count) dims)"
                )
            }
        }
        return out
    }
}
