import Foundation
import LorePrompts
import LoreTestSupport
import Testing

/// A template file whose lines are known: 1 `---`, 2 name, 3 version, 4 description,
/// 5 variables, 6 context_tokens, 7 parameters, 8 temperature, 9 max_tokens, then `extra`
/// front-matter lines, then `---` (line 10 without extra), then the body (line 11 on).
func templateText(
    name: String = "answer", version: String = "v1", description: String = "a test template",
    variables: String = "[question, context]", contextTokens: String = "100",
    temperature: String = "0.1", maxTokens: String = "50", extra: [String] = [],
    body: String = "[system]\nUse the sources.\n[user]\n{{context}}\nQuestion: {{question}}"
) -> String {
    ([
        "---", "name: \(name)", "version: \(version)", "description: \(description)", "variables: \(variables)",
        "context_tokens: \(contextTokens)", "parameters:", "  temperature: \(temperature)", "  max_tokens: \(maxTokens)"
    ]
        + extra + ["---", body]).joined(separator: "\n") + "\n"
}

/// A prompts directory in a temporary directory.
final class PromptsFixture {
    let tmp = TemporaryDirectory("lore-prompts")
    var directory: String { tmp.path + "/prompts" }

    init() { try! FileManager.default.createDirectory(atPath: tmp.path + "/prompts", withIntermediateDirectories: true) }

    /// Writes `prompts/<name>/<version>.md` and returns its path.
    @discardableResult
    func write(_ name: String, _ version: String, _ text: String) -> String {
        tmp.write("prompts/\(name)/\(version).md", text)
    }

    func load(defaults: [String: String] = [:], splits: [String: [String: Int]] = [:]) throws -> PromptRegistry {
        try PromptRegistry.load(directory: directory, defaults: defaults, splits: splits)
    }

    /// The problems loading reports (failing the test when loading succeeds).
    func problems(sourceLocation: SourceLocation = #_sourceLocation) -> [PromptProblem] {
        do {
            _ = try load()
            Issue.record("loading succeeded, but a problem was expected", sourceLocation: sourceLocation)
            return []
        } catch let e as PromptLoadError {
            return e.problems
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return []
        }
    }
}

/// Whether `problems` holds one at `path`:`line` whose message contains `text`, and the error's
/// description shows it as `path:line: ...`.
func has(_ problems: [PromptProblem], _ path: String, line: Int, _ text: String) -> Bool {
    problems.contains {
        $0.path == path && $0.line == line && $0.message.contains(text)
            && PromptLoadError(problems: problems).description.contains("\(path):\(line): \($0.message)")
    }
}
