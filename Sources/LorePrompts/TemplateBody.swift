import LoreCore

/// A piece of a message template.
indirect enum TemplateNode: Sendable, Equatable {
    /// Literal text, emitted as written.
    case text(String)
    /// `{{name}}`: the variable's value, inserted verbatim (never itself parsed as a template).
    case variable(String)
    /// `{{#name}}...{{/name}}`: the children, shown only when the variable is non-blank.
    case section(String, [TemplateNode])
}

/// One `[role]` section of a template body.
struct MessageTemplate: Sendable, Equatable {
    var role: ChatMessage.Role
    /// The file line of the `[role]` header.
    var line: Int
    var nodes: [TemplateNode]
}

/// The parsed body, with every variable use and where it is.
struct ParsedBody: Sendable {
    var messages: [MessageTemplate] = []
    /// Variable name → first line it is used on (as `{{x}}` or as a section `{{#x}}`).
    var uses: [String: Int] = [:]
    var problems: [(line: Int, message: String)] = []
}

/// Parses a template body: `[system]` / `[user]` / `[assistant]` header lines, `{{name}}`,
/// and `{{#name}}...{{/name}}` sections. Tags do not span lines; sections do not span headers.
enum BodyParser {
    private struct Open {
        var name: String
        var line: Int
        var nodes: [TemplateNode] = []
    }

    /// `lines` are the body's lines; `firstLine` is the file line of `lines[0]`.
    static func parse(_ lines: [Substring], firstLine: Int) -> ParsedBody {
        var out = ParsedBody()
        var current: MessageTemplate? = nil
        var stack: [Open] = [Open(name: "", line: 0)]
        var reportedStray = false
        // After an unknown header, its lines are skipped (the header is the problem).
        var skipping = false

        func finishMessage(before header: String?) {
            guard var message = current else { return }
            while stack.count > 1 {
                let open = stack.removeLast()
                let end = header.map { "before the \($0) header" } ?? "at the end of the file"
                out.problems.append((open.line, "section {{#\(open.name)}} is not closed (expected {{/\(open.name)}} \(end))"))
                stack[stack.count - 1].nodes.append(.section(open.name, open.nodes))
            }
            message.nodes = stack[0].nodes
            out.messages.append(message)
            stack = [Open(name: "", line: 0)]
            current = nil
        }

        for (i, raw) in lines.enumerated() {
            let lineNumber = firstLine + i
            let line = raw.last == "\r" ? raw.dropLast() : raw
            let trimmed = line.trimmingWhitespace()
            if let header = Self.header(trimmed) {
                finishMessage(before: "[\(header)]")
                skipping = false
                if let role = ChatMessage.Role(rawValue: header) {
                    current = MessageTemplate(role: role, line: lineNumber, nodes: [])
                } else {
                    out.problems.append((lineNumber, "unknown section header [\(header)] (expected [system], [user] or [assistant])"))
                    skipping = true
                }
                continue
            }
            guard current != nil else {
                if !trimmed.isEmpty && !reportedStray && !skipping {
                    reportedStray = true
                    out.problems.append((lineNumber, "text before the first section header: start the body with [system] or [user]"))
                }
                continue
            }
            let tokens = tokenize(line, lineNumber: lineNumber, problems: &out.problems)
            // A line holding only one section tag (and blanks) is standalone: it leaves no line behind.
            let tags = tokens.filter { if case .text(let t) = $0 { return !t.allSatisfy(\.isWhitespace) } else { return true } }
            let standalone = tags.count == 1 && tags[0].isSectionTag
            for token in (standalone ? tags : tokens) {
                switch token {
                case .text(let t):
                    stack[stack.count - 1].nodes.append(.text(t))
                case .variable(let name):
                    out.uses[name] = out.uses[name] ?? lineNumber
                    stack[stack.count - 1].nodes.append(.variable(name))
                case .open(let name):
                    out.uses[name] = out.uses[name] ?? lineNumber
                    stack.append(Open(name: name, line: lineNumber))
                case .close(let name):
                    if stack.count == 1 {
                        out.problems.append((lineNumber, "{{/\(name)}} closes no open section"))
                    } else if stack[stack.count - 1].name != name {
                        let top = stack[stack.count - 1]
                        out.problems.append((lineNumber, "{{/\(name)}} does not match {{#\(top.name)}} opened at line \(top.line)"))
                    } else {
                        let open = stack.removeLast()
                        stack[stack.count - 1].nodes.append(.section(open.name, open.nodes))
                    }
                }
            }
            if !standalone { stack[stack.count - 1].nodes.append(.text("\n")) }
        }
        finishMessage(before: nil)
        return out
    }

    /// `system` for a line `[system]`; any `[word]` line is a header (known or not).
    static func header(_ trimmed: Substring) -> String? {
        guard trimmed.count >= 3, trimmed.first == "[", trimmed.last == "]" else { return nil }
        let inner = trimmed.dropFirst().dropLast()
        guard inner.allSatisfy({ $0.isLetter || $0 == "_" || $0 == "-" }) else { return nil }
        return String(inner)
    }

    enum Token {
        case text(String), variable(String), open(String), close(String)
        var isSectionTag: Bool {
            switch self {
            case .open, .close: return true;
            default: return false
            }
        }
    }

    /// Splits one line into text and tags, reporting unclosed `{{`, stray `}}` and bad tags.
    static func tokenize(_ line: Substring, lineNumber: Int, problems: inout [(line: Int, message: String)]) -> [Token] {
        var tokens: [Token] = []
        var rest = line
        while !rest.isEmpty {
            guard let open = rest.range(of: "{{") else {
                if rest.contains("}}") { problems.append((lineNumber, "unmatched }} (no {{ before it)")) }
                tokens.append(.text(String(rest)))
                break
            }
            let before = rest[..<open.lowerBound]
            if before.contains("}}") { problems.append((lineNumber, "unmatched }} (no {{ before it)")) }
            if !before.isEmpty { tokens.append(.text(String(before))) }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                problems.append((lineNumber, "unclosed {{ (tags must close with }} on the same line)"))
                tokens.append(.text(String(rest[open.lowerBound...])))
                break
            }
            let content = afterOpen[..<close.lowerBound].trimmingWhitespace()
            rest = afterOpen[close.upperBound...]
            var kind: (String) -> Token = Token.variable
            var name = content
            if content.first == "#" {
                kind = Token.open; name = content.dropFirst().trimmingWhitespace()
            } else if content.first == "/" {
                kind = Token.close; name = content.dropFirst().trimmingWhitespace()
            }
            guard isIdentifier(name) else {
                problems.append(
                    (
                        lineNumber,
                        "invalid tag {{\(content)}}: expected {{name}}, {{#name}} or {{/name}} with a name of letters, digits and _"
                    ))
                continue
            }
            tokens.append(kind(String(name)))
        }
        return tokens
    }

    static func isIdentifier(_ s: some StringProtocol) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}
