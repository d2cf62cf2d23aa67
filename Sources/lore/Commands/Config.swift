import ArgumentParser
import LoreApp

/// `lore config`
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the effective configuration (file, environment and flags applied).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        print(try global.configuration().yaml(), terminator: "")
    }
}
