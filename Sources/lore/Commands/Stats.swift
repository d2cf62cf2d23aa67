import ArgumentParser
import LoreApp

/// `lore stats`
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the database holds.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        try Output.emit { try StatsCommand.run(json: json, config: global.configuration()) }
    }
}
