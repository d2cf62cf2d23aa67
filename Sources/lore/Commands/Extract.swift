import ArgumentParser
import LoreApp

/// `lore extract PATH...`
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what the loaders read from files (title, sections, pages, text), without storing or embedding anything.",
        discussion: "Exit status 1 when a file cannot be read; the others are still printed.")

    @Argument(help: "Files and directories.")
    var paths: [String]

    @Flag(name: .long, help: "Print one JSON object per document (JSON Lines).")
    var json = false

    func run() throws {
        try Output.emit { ExtractCommand.run(paths: paths, json: json) }
    }
}
