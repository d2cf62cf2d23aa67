import ArgumentParser
import LoreApp

/// `lore prompts list|show|diff`
struct Prompts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "List, show and compare the versioned prompt templates.",
        subcommands: [List.self, Show.self, Diff.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every template: name, version, default or split weight, hash, description.")
        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            try Output.emit { try PromptsCommand.list(json: json, config: global.configuration()) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a template (front matter and body), or render it with sample variables.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "NAME@VERSION, or NAME for its default version.")
        var reference: String

        @Flag(name: .long, help: "Render the messages with sample variables instead of printing the file.")
        var render = false

        @Option(name: .customLong("var"), help: "A variable for --render, as name=value (repeatable).")
        var variables: [String] = []

        func run() throws {
            try Output.emit { try PromptsCommand.show(reference, render: render, variables: variables, config: global.configuration()) }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A line diff of two templates (unified style); nothing when they are the same.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The old template, NAME@VERSION.")
        var old: String

        @Argument(help: "The new template, NAME@VERSION.")
        var new: String

        @Option(name: .long, help: "Lines of context around each change.")
        var context = 3

        func run() throws {
            try Output.emit { try PromptsCommand.diff(old: old, new: new, context: context, config: global.configuration()) }
        }
    }
}
