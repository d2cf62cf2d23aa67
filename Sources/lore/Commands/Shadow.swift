import ArgumentParser
import LoreApp

/// `lore shadow report`
struct Shadow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the shadow candidate (shadow: in the configuration) with what users got.", subcommands: [Report.self])

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retrieval overlap, cited-source and refusal agreement, answer similarity, latency and tokens, per candidate.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Only this candidate (as the report names it).") var candidate: String?
        @Option(name: .long, help: "Only pairs of the last DAYS days.") var days: Double?
        @Option(name: .long, help: "Also write the report as one HTML page (a chart, the most different answers).") var html: String?
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            try Output.emit {
                try ShadowCommand.report(candidate: candidate, days: days, html: html, json: json, config: global.configuration())
            }
        }
    }
}
