/// One problem found in a template file: where it is and what is wrong.
public struct PromptProblem: Sendable, Equatable, CustomStringConvertible {
    /// The template file (as found under the prompts directory).
    public var path: String
    /// The 1-based line in that file; `nil` for problems with the file or directory as a whole.
    public var line: Int?
    public var message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `path:line: message` (or `path: message` without a line).
    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}

/// Loading the templates failed: every problem in every file, one per line as `path:line: message`.
/// Lore refuses to start with a broken prompt.
public struct PromptLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [PromptProblem]

    public init(problems: [PromptProblem]) { self.problems = problems }

    public var description: String {
        let n = problems.count
        return
            "\(n) problem\(n == 1 ? "" : "s") in the prompt templates (fix them, or point prompts.directory / LORE_PROMPTS_DIR elsewhere):\n"
            + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Selecting or rendering a prompt failed.
public enum PromptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No template has this name.
    case unknownName(String, available: [String])
    /// The name exists but not this version.
    case unknownVersion(name: String, version: String, available: [String])
    /// A reference that is not `name` or `name@version`.
    case invalidReference(String)
    /// `defaults` or `splits` name something that does not exist, or weights are invalid.
    /// `key` is the configuration key below `prompts.` (e.g. `splits.answer.v3`).
    case invalidConfiguration(key: String, message: String)
    /// A required variable was not passed to `render` (a programming error in the caller).
    case missingVariable(template: String, variable: String)

    public var description: String {
        switch self {
        case .unknownName(let name, let available):
            return "unknown prompt \(name) (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .unknownVersion(let name, let version, let available):
            return "unknown prompt version \(name)@\(version) (available: \(available.joined(separator: ", ")))"
        case .invalidReference(let reference):
            return "invalid prompt reference '\(reference)': expected NAME or NAME@VERSION"
        case .invalidConfiguration(let key, let message):
            return "prompts.\(key): \(message)"
        case .missingVariable(let template, let variable):
            return "prompt \(template) rendered without its required variable \(variable)"
        }
    }
}
