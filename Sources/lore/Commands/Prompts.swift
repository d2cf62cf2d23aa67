import ArgumentParser
import Foundation
import LoreApp
import LoreCore
import LorePrompts

/// `lore prompts list|show|diff`
struct Prompts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "List, show and compare the versioned prompt templates.",
        subcommands: [List.self, Show.self, Diff.self]
    )

    /// The registry the configuration describes (every template validated).
    static func registry(_ global: GlobalOptions) throws -> PromptRegistry {
        try global.configuration().prompts.makeRegistry()
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every template: name, version, default or split weight, hash, description.")
        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let registry = try Prompts.registry(global)
            let rows = registry.all.map { t -> [String: Any] in
                var row: [String: Any] = [
                    "name": t.name, "version": t.version, "default": registry.defaultVersion(of: t.name) == t.version,
                    "hash": t.hash, "sha256": t.sha256, "description": t.description, "path": t.path,
                    "variables": t.variables, "context_tokens": t.contextTokens, "stop": t.parameters.stop
                ]
                if let x = t.parameters.temperature { row["temperature"] = x }
                if let x = t.parameters.maxTokens { row["max_tokens"] = x }
                if let split = registry.splits[t.name] { row["split_weight"] = split.weights[t.version] ?? 0 }
                return row
            }
            if json {
                let data = try JSONSerialization.data(
                    withJSONObject: ["directory": registry.directory, "templates": rows],
                    options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            var table = [["NAME", "VERSION", "DEFAULT", "SPLIT", "HASH", "DESCRIPTION"]]
            for t in registry.all {
                let split =
                    registry.splits[t.name].map { s -> String in
                        let w = s.weights[t.version] ?? 0
                        return String(format: "%d (%.0f%%)", w, 100 * Double(w) / Double(s.total))
                    } ?? "-"
                table.append([
                    t.name, t.version, registry.defaultVersion(of: t.name) == t.version ? "yes" : "", split, t.hash, t.description
                ])
            }
            let widths = (0..<5).map { c in table.map { $0[c].count }.max()! }
            for row in table {
                print(
                    (0..<5).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  "
                        + row[5])
            }
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
            let t = try Prompts.registry(global).template(reference)
            print("# \(t.reference)  hash \(t.hash)  sha256 \(t.sha256)")
            print("# \(t.path)")
            guard render else {
                print(t.source, terminator: t.source.hasSuffix("\n") ? "" : "\n")
                return
            }
            var values = Prompts.sampleVariables(for: t)
            for v in variables {
                guard let eq = v.firstIndex(of: "=") else { throw ValidationError("--var takes name=value, not \(v)") }
                values[String(v[..<eq])] = String(v[v.index(after: eq)...])
            }
            let p = t.parameters
            print(
                "# temperature \(p.temperature.map { "\($0)" } ?? "default"), max_tokens \(p.maxTokens.map { "\($0)" } ?? "default"), stop \(p.stop), context_tokens \(t.contextTokens)"
            )
            for m in try t.render(values) {
                print("[\(m.role.rawValue)]")
                print(m.content)
                print()
            }
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
            let registry = try Prompts.registry(global)
            let a = try registry.template(old), b = try registry.template(new)
            print(
                LineDiff.unified(
                    a.source, b.source, oldLabel: "\(a.reference) \(a.path)", newLabel: "\(b.reference) \(b.path)",
                    context: max(0, context)), terminator: "")
        }
    }

    /// Example values for `show --render`.
    static func sampleVariables(for t: PromptTemplate) -> [String: String] {
        let sources = [
            ContextSource(
                number: 1, chunkID: 1, source: "guides/ingest.md", title: "Ingesting documents",
                headingPath: "Ingesting documents > Incremental runs",
                text: "Lore skips files whose SHA-256 has not changed since the last run.", score: 0.9),
            ContextSource(
                number: 2, chunkID: 2, source: "reference/store.md", title: "The store", headingPath: "Crash safety",
                text: "Each batch of files is written in one transaction.", score: 0.7)
        ]
        var values: [String: String] = [:]
        for v in t.variables { values[v] = "<\(v)>" }
        values["question"] = "Does Lore re-embed files that did not change?"
        if t.variables.contains("context") { values["context"] = ContextAssembler.text(sources) }
        if t.variables.contains("history") {
            values["history"] = "User: How does ingestion work?\nAssistant: Lore loads, chunks and embeds each file, in batches [1]."
        }
        return values
    }
}
