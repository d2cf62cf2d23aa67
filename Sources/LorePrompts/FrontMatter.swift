import LoreCore
import Yams

/// A template's YAML front matter, checked field by field.
struct FrontMatter: Sendable {
    var name = ""
    var version = ""
    var description = ""
    var variables: [String] = []
    /// File line of each declared variable (for "declared but never used").
    var variableLines: [String: Int] = [:]
    /// File line of the `variables:` key (for "missing required variable").
    var variablesLine = 1
    var nameLine = 1
    var versionLine = 1
    var contextTokens = 0
    var parameters = GenerationParameters()
    /// Whether `variables` was read: checks of variable use are meaningless otherwise.
    var variablesRead = false

    static let fields = ["name", "version", "description", "variables", "context_tokens", "parameters"]
    static let parameterFields = ["temperature", "max_tokens", "stop"]

    /// Parses `yaml` (the text between the `---` lines); `offset` is added to YAML line
    /// numbers to make file lines; `startLine` is the opening `---` (for missing fields).
    static func parse(_ yaml: String, offset: Int, startLine: Int, problems: inout [(line: Int, message: String)]) -> FrontMatter {
        var fm = FrontMatter()
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            let (line, message) = describe(error, yaml: yaml, offset: offset)
            problems.append((line.map { $0 + offset } ?? startLine, "invalid front matter: \(message)"))
            return fm
        }
        guard let root, let mapping = root.mapping else {
            problems.append((startLine, "invalid front matter: expected a mapping of \(fields.joined(separator: ", "))"))
            return fm
        }
        func line(_ node: Node) -> Int { node.mark.map { $0.line + offset } ?? startLine }

        var seen: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let k = key.scalar?.string else {
                problems.append((line(key), "invalid front matter: keys must be plain names")); continue
            }
            guard fields.contains(k) else {
                problems.append((line(key), "unknown front-matter field \(k) (expected \(fields.joined(separator: ", ")))")); continue
            }
            seen[k] = (key, value)
        }
        for f in fields where seen[f] == nil {
            problems.append((startLine, "missing front-matter field \(f)"))
        }

        func string(_ f: String) -> (String, Int)? {
            guard let (_, v) = seen[f] else { return nil }
            guard let s = v.scalar, v.hasTag(.str, .int, .float), !s.string.isEmpty else {
                problems.append((line(v), "front-matter field \(f) must be a non-empty string")); return nil
            }
            return (s.string, line(v))
        }
        if let (s, l) = string("name") { fm.name = s; fm.nameLine = l }
        if let (s, l) = string("version") { fm.version = s; fm.versionLine = l }
        if let (s, _) = string("description") { fm.description = s.trimmingWhitespace().description }

        if let (k, v) = seen["variables"] {
            fm.variablesLine = line(k)
            if let seq = v.sequence {
                fm.variablesRead = true
                for item in seq {
                    guard let s = item.scalar?.string, item.hasTag(.str), BodyParser.isIdentifier(s) else {
                        problems.append((line(item), "variables: each entry must be a name of letters, digits and _")); continue
                    }
                    if fm.variableLines[s] != nil {
                        problems.append((line(item), "variables: \(s) is declared twice")); continue
                    }
                    fm.variables.append(s)
                    fm.variableLines[s] = line(item)
                }
            } else {
                problems.append((line(v), "front-matter field variables must be a list of names, e.g. [question, context]"))
            }
        }

        if let (_, v) = seen["context_tokens"] {
            if let n = v.scalar.flatMap({ Int($0.string) }), v.hasTag(.int), n > 0 {
                fm.contextTokens = n
            } else {
                problems.append((line(v), "front-matter field context_tokens must be a positive integer"))
            }
        }

        if let (_, v) = seen["parameters"] {
            guard let params = v.mapping else {
                problems.append((line(v), "front-matter field parameters must be a mapping of \(parameterFields.joined(separator: ", "))"))
                return fm
            }
            var p: [String: Node] = [:]
            for (key, value) in params {
                guard let k = key.scalar?.string, parameterFields.contains(k) else {
                    problems.append(
                        (line(key), "unknown parameter \(key.scalar?.string ?? "?") (expected \(parameterFields.joined(separator: ", ")))"));
                    continue
                }
                p[k] = value
            }
            for f in ["temperature", "max_tokens"] where p[f] == nil {
                problems.append((line(v), "missing parameter \(f)"))
            }
            if let t = p["temperature"] {
                if let x = Double(t.scalar?.string ?? ""), t.hasTag(.float, .int), x >= 0, x <= 2 {
                    fm.parameters.temperature = x
                } else {
                    problems.append((line(t), "parameter temperature must be a number from 0 to 2"))
                }
            }
            if let m = p["max_tokens"] {
                if let n = m.scalar.flatMap({ Int($0.string) }), m.hasTag(.int), n > 0 {
                    fm.parameters.maxTokens = n
                } else {
                    problems.append((line(m), "parameter max_tokens must be a positive integer"))
                }
            }
            if let s = p["stop"] {
                if let seq = s.sequence, seq.allSatisfy({ $0.scalar != nil && $0.hasTag(.str) && !($0.scalar!.string.isEmpty) }) {
                    fm.parameters.stop = seq.map { $0.scalar!.string }
                } else {
                    problems.append((line(s), "parameter stop must be a list of non-empty strings, e.g. [\"\\n\"]"))
                }
            }
        }
        return fm
    }

    /// The YAML line (1-based, within the front matter) and message of a Yams error.
    private static func describe(_ error: any Error, yaml: String, offset: Int) -> (Int?, String) {
        guard let e = error as? YamlError else { return (nil, "\(error)") }
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // An unclosed quote or bracket is found where the text ends: the line to fix is
            // where it opened (the context); for anything else the problem's own line.
            if let context, context.text.contains("flow") || context.text.contains("quoted scalar") {
                return (context.mark.line, "\(context.text) opened here: \(problem) (at line \(mark.line + offset))")
            }
            return (mark.line, context.map { "\($0.text): \(problem)" } ?? problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; the fault is the repetition.
            let key = duplicates.first ?? ""
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            let uses = lines.indices.filter { lines[$0].trimmingWhitespace().hasPrefix(key + ":") }
            return (uses.count >= 2 ? uses[1] + 1 : context.mark.line, "duplicated key \(duplicates.joined(separator: ", "))")
        default:
            return (nil, "\(e)")
        }
    }
}

extension Node {
    /// Whether the node's resolved tag is one of `names` (a quoted `"200"` is a string, a plain `200` an int).
    func hasTag(_ names: Tag.Name...) -> Bool {
        let tag = self.tag.rawValue
        return names.contains { $0.rawValue == tag }
    }
}
