import ArgumentParser
import LoreApp

/// `lore canary status|reset`
struct Canary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The canary rollout (canary: in the configuration): its arms, state and decisions.",
        subcommands: [Status.self, Reset.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each canary's state, its two arms compared, and its decisions.")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws { try Output.emit { try CanaryCommand.status(json: json, config: global.configuration()) } }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a decided canary, so that the next lore serve starts it again.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "The candidate, as lore canary status names it (default: the configured one).") var candidate: String?

        func run() throws { try Output.emit { try CanaryCommand.reset(candidate: candidate, config: global.configuration()) } }
    }
}
