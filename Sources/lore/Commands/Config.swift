import ArgumentParser
import LoreApp

/// `lore config`
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the effective configuration (file, environment and flags applied).")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print the table of every setting (key, type, default, variable, meaning) that docs/CONFIGURATION.md holds.")
    var reference = false

    func run() throws {
        if reference { return print(LoreConfiguration.reference(), terminator: "") }
        print(try global.configuration().yaml(), terminator: "")
    }
}
