import Foundation
import LoreCore
import LorePrompts

/// `lore prompts list|show|diff`: the versioned prompt templates the configuration names.
public enum PromptsCommand {
    /// `lore prompts list`: every template with its version, default or split weight, hash
    /// and description (JSON with `json`).
    public static func list(json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        let registry = try config.prompts.makeRegistry()
        var out = CommandOutput()
        if json {
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
            out.print(try CommandText.json(["directory": registry.directory, "templates": rows]))
            return out
        }
        var table = [["NAME", "VERSION", "DEFAULT", "SPLIT", "HASH", "DESCRIPTION"]]
        for t in registry.all {
            let split =
                registry.splits[t.name].map { s -> String in
                    let w = s.weights[t.version] ?? 0
                    return String(format: "%d (%.0f%%)", w, 100 * Double(w) / Double(s.total))
                } ?? "-"
            table.append([t.name, t.version, registry.defaultVersion(of: t.name) == t.version ? "yes" : "", split, t.hash, t.description])
        }
        let widths = (0..<5).map { c in table.map { $0[c].count }.max()! }
        for row in table {
            out.print(
                (0..<5).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + row[5])
        }
        return out
    }

    /// `lore prompts show REF`: the template's file, or with `render` its messages filled with
    /// sample variables and `variables` (`name=value`).
    public static func show(_ reference: String, render: Bool, variables: [String], config: LoreConfiguration) throws -> CommandOutput {
        let t = try config.prompts.makeRegistry().template(reference)
        var out = CommandOutput()
        out.print("# \(t.reference)  hash \(t.hash)  sha256 \(t.sha256)")
        out.print("# \(t.path)")
        guard render else {
            out.print(t.source, terminator: t.source.hasSuffix("\n") ? "" : "\n")
            return out
        }
        try out.continuing { out in
            var values = sampleVariables(for: t)
            for v in variables {
                guard let eq = v.firstIndex(of: "=") else { throw UsageError("--var takes name=value, not \(v)") }
                values[String(v[..<eq])] = String(v[v.index(after: eq)...])
            }
            let p = t.parameters
            out.print(
                "# temperature \(p.temperature.map { "\($0)" } ?? "default"), max_tokens \(p.maxTokens.map { "\($0)" } ?? "default"), stop \(p.stop), context_tokens \(t.contextTokens)"
            )
            for m in try t.render(values) {
                out.print("[\(m.role.rawValue)]")
                out.print(m.content)
                out.print("")
            }
        }
        return out
    }

    /// `lore prompts diff OLD NEW`: a unified line diff of two templates.
    public static func diff(old: String, new: String, context: Int, config: LoreConfiguration) throws -> CommandOutput {
        let registry = try config.prompts.makeRegistry()
        let a = try registry.template(old), b = try registry.template(new)
        var out = CommandOutput()
        out.print(
            LineDiff.unified(
                a.source, b.source, oldLabel: "\(a.reference) \(a.path)", newLabel: "\(b.reference) \(b.path)", context: max(0, context)),
            terminator: "")
        return out
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
