import LoreCore

/// Identifies the prompt behind an answer, a log line or a metric label.
public struct PromptIdentity: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var version: String
    /// The first 12 hex digits of `sha256`.
    public var hash: String
    /// SHA-256 of the template file's bytes, hex.
    public var sha256: String

    public init(name: String, version: String, hash: String, sha256: String) {
        self.name = name
        self.version = version
        self.hash = hash
        self.sha256 = sha256
    }

    /// `name@version`.
    public var reference: String { "\(name)@\(version)" }
    /// `name@version#hash`.
    public var description: String { "\(reference)#\(hash)" }
}

/// One validated template: `prompts/<name>/<version>.md`.
public struct PromptTemplate: Sendable {
    public let name: String
    public let version: String
    public let description: String
    /// The variables it declares (and uses), in declaration order.
    public let variables: [String]
    /// The most tokens the assembled context may take.
    public let contextTokens: Int
    public let parameters: GenerationParameters
    /// The file it was read from.
    public let path: String
    /// SHA-256 of the file's bytes, hex (64 digits).
    public let sha256: String
    /// The file as read (front matter and body).
    public let source: String
    /// The front matter's YAML (between the `---` lines) and the body after them.
    public let frontMatter: String
    public let body: String
    let messages: [MessageTemplate]

    /// Length of `hash`: enough to tell versions apart in logs and labels.
    public static let shortHashLength = 12

    /// The first 12 hex digits of `sha256`.
    public var hash: String { String(sha256.prefix(Self.shortHashLength)) }
    /// `name@version`.
    public var reference: String { "\(name)@\(version)" }
    public var identity: PromptIdentity { PromptIdentity(name: name, version: version, hash: hash, sha256: sha256) }
    /// The variables `render` requires (the name's required ones; others default to empty).
    public var requiredVariables: [String] { KnownPrompts.required(for: name) }

    /// Renders the messages. Variables the template does not declare are ignored; declared but
    /// absent ones are empty; an absent required variable throws `PromptError.missingVariable`.
    /// Values are inserted verbatim: a value holding `{{x}}` stays literal text.
    public func render(_ values: [String: String]) throws -> [ChatMessage] {
        for v in requiredVariables where values[v] == nil {
            throw PromptError.missingVariable(template: reference, variable: v)
        }
        var out: [ChatMessage] = []
        for m in messages {
            var text = ""
            Self.render(m.nodes, values, into: &text)
            let content = text.trimmingWhitespace()
            if !content.isEmpty { out.append(ChatMessage(m.role, String(content))) }
        }
        return out
    }

    private static func render(_ nodes: [TemplateNode], _ values: [String: String], into out: inout String) {
        for node in nodes {
            switch node {
            case .text(let t): out += t
            case .variable(let name): out += values[name] ?? ""
            case .section(let name, let children):
                if let v = values[name], !v.allSatisfy(\.isWhitespace) { render(children, values, into: &out) }
            }
        }
    }
}

extension PromptTemplate {
    /// Parses and validates one file. `expectedName` and `expectedVersion` come from its path
    /// (`<name>/<version>.md`); the front matter must agree with them.
    static func parse(path: String, bytes: [UInt8], expectedName: String, expectedVersion: String) -> Result<
        PromptTemplate, PromptLoadError
    > {
        var problems: [(line: Int, message: String)] = []
        func fail() -> Result<PromptTemplate, PromptLoadError> {
            .failure(
                PromptLoadError(
                    problems: problems.sorted { $0.line < $1.line }.map { PromptProblem(path: path, line: $0.line, message: $0.message) }))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            problems.append((1, "the file is not valid UTF-8"))
            return fail()
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func isFence(_ l: Substring) -> Bool { l.trimmingWhitespace() == "---" }
        guard let first = lines.first, isFence(first) else {
            problems.append(
                (
                    1,
                    "missing front matter: the file must start with a line ---, then name, version, description, variables, context_tokens and parameters, then ---"
                ))
            return fail()
        }
        guard let close = lines.indices.dropFirst().first(where: { isFence(lines[$0]) }) else {
            problems.append((1, "the front matter is never closed: add a line --- after it"))
            return fail()
        }
        let yaml = lines[1..<close].joined(separator: "\n")
        // YAML line 1 is file line 2.
        let fm = FrontMatter.parse(yaml, offset: 1, startLine: 1, problems: &problems)
        if !fm.name.isEmpty, fm.name != expectedName {
            problems.append((fm.nameLine, "name \(fm.name) does not match the directory \(expectedName)/"))
        }
        if !fm.version.isEmpty, fm.version != expectedVersion {
            problems.append((fm.versionLine, "version \(fm.version) does not match the file name \(expectedVersion).md"))
        }

        let bodyLines = Array(lines[(close + 1)...])
        let body = BodyParser.parse(bodyLines, firstLine: close + 2)
        problems += body.problems
        if body.messages.isEmpty && body.problems.isEmpty {
            problems.append((close + 1, "the body has no messages: start it with [system] or [user]"))
        } else if !body.messages.contains(where: { $0.role == .user }) {
            problems.append((body.messages[0].line, "the template has no [user] message"))
        }

        // Without a readable variables list (bad YAML, missing or malformed field, already
        // reported), every use would look unknown: skip the variable checks.
        guard fm.variablesRead else { return fail() }
        let declared = Set(fm.variables)
        for (name, line) in body.uses where !declared.contains(name) {
            problems.append(
                (
                    line,
                    "unknown variable \(name) (declared: \(fm.variables.isEmpty ? "none" : fm.variables.joined(separator: ", ")); add it to variables: or fix the name)"
                ))
        }
        let required = KnownPrompts.required(for: expectedName)
        for name in required {
            if !declared.contains(name) {
                problems.append(
                    (
                        fm.variablesLine,
                        "missing required variable \(name): \(expectedName) templates must declare and use \(required.joined(separator: ", "))"
                    ))
            } else if body.uses[name] == nil {
                problems.append(
                    (fm.variableLines[name] ?? fm.variablesLine, "missing required variable \(name): declared but never used in the body"))
            }
        }
        for name in fm.variables where body.uses[name] == nil && !required.contains(name) {
            problems.append((fm.variableLines[name] ?? fm.variablesLine, "variable \(name) is declared but never used"))
        }
        guard problems.isEmpty else { return fail() }

        return .success(
            PromptTemplate(
                name: fm.name, version: fm.version, description: fm.description, variables: fm.variables,
                contextTokens: fm.contextTokens, parameters: fm.parameters, path: path,
                sha256: SHA256.hex(of: bytes), source: text, frontMatter: yaml,
                body: bodyLines.joined(separator: "\n"), messages: body.messages))
    }
}
