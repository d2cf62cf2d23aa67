import Foundation
import LoreQuery

/// What the chat prints, as text: with colour (ANSI SGR) on a terminal, plain otherwise.
/// Every method returns the text to write; nothing here writes.
public struct ChatRenderer: Sendable {
    /// Colour and emphasis on (a terminal without `NO_COLOR`).
    public let colour: Bool

    public init(colour: Bool) { self.colour = colour }

    /// Colour when `fd` is a terminal and `NO_COLOR` is unset or empty (no-color.org).
    public static func wantsColour(fd: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isatty(fd) == 1 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", cyan = "36", boldGreen = "1;32"
    }

    func paint(_ text: String, _ style: Style) -> String {
        colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// The prompt the line editor shows, and its width in columns.
    public var prompt: (text: String, width: Int) { (paint("lore> ", .boldGreen), 6) }

    /// The first lines of an interactive chat.
    public func banner(source: String, conversationID: String) -> String {
        paint("Lore chat", .bold) + paint(" (\(source))", .dim) + "\n"
            + paint("Ask a question about your documents. /help for commands, Ctrl-C stops an answer, Ctrl-D leaves.", .dim) + "\n"
    }

    /// A question echoed in piped mode, where no one typed it on screen.
    public func echo(_ question: String) -> String { "> " + question + "\n" }

    /// `[n] Title › Heading — file` for a source (`*` marks the cited ones in `/sources`).
    public static func label(_ c: Citation) -> String {
        var label = c.title.isEmpty ? (c.source as NSString).lastPathComponent : c.title
        var heading = c.headingPath
        if heading == c.title { heading = "" } else if heading.hasPrefix(c.title + " > ") { heading.removeFirst(c.title.count + 3) }
        if !heading.isEmpty { label += " › " + heading.replacingOccurrences(of: " > ", with: " › ") }
        // A slide's number and a sheet's name are in its heading already; a page is not.
        if let page = c.page { label += " (p. \(page))" }
        return label
    }

    func sourceLine(_ c: Citation) -> String {
        "  " + paint("[\(c.n)]", .cyan) + " " + Self.label(c) + paint(" — " + c.source, .dim)
    }

    /// After an answer: its cited sources (all retrieved ones, when none is cited), and the
    /// question retrieval used when a follow-up was condensed.
    public func afterAnswer(_ response: QueryResponse) -> String {
        var out = ""
        if response.finishReason == "incomplete" {
            out += paint("[incomplete answer: \(response.problem ?? "the stream broke")]", .yellow) + "\n"
        }
        let cited = response.citations.filter(\.cited)
        let shown = cited.isEmpty ? response.citations : cited
        if shown.isEmpty {
            out += paint("Sources: none", .dim) + "\n"
        } else {
            out += paint(cited.isEmpty ? "Retrieved (none cited):" : "Sources:", .bold) + "\n"
            out += shown.map(sourceLine).joined(separator: "\n") + "\n"
        }
        if response.standaloneQuestion != response.question {
            out += paint("(searched for: \(response.standaloneQuestion))", .dim) + "\n"
        }
        for f in response.guardrailFindings {
            out += paint("guardrail \(f.action.rawValue) \(f.rule): \(f.detail)", .yellow) + "\n"
        }
        return out
    }

    /// `/sources`: every source of the last answer with its snippet.
    public func sources(_ citations: [Citation]) -> String {
        citations.map { c in
            sourceLine(c) + (c.cited ? paint("  (cited)", .green) : "") + "\n" + Self.indent(c.snippet, by: 6) + "\n"
        }.joined(separator: "\n")
    }

    /// `/open N`: the passage in full.
    public func passage(_ c: Citation, text: String) -> String {
        sourceLine(c) + "\n\n" + Self.indent(text, by: 4) + "\n"
    }

    public func help() -> String {
        let width = SlashCommand.summary.map(\.usage.count).max() ?? 0
        var lines = SlashCommand.summary.map {
            "  " + paint($0.usage.padding(toLength: width, withPad: " ", startingAt: 0), .cyan) + "  " + $0.meaning
        }
        lines.append("Keys: Ctrl-C stops an answer (at the prompt: clears the line), Ctrl-D leaves,")
        lines.append("      Up/Down history, Ctrl-A/E start/end, Ctrl-U/K/W delete, Ctrl-L clears the screen.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A confirmation or a note.
    public func notice(_ text: String) -> String { paint(text, .dim) + "\n" }

    /// An error; the chat goes on.
    public func error(_ text: String) -> String { paint("error: " + text, .red) + "\n" }

    /// After Ctrl-C stopped an answer.
    public func interrupted() -> String { paint("[answer stopped]", .yellow) + "\n" }

    static func indent(_ text: String, by n: Int) -> String {
        let pad = String(repeating: " ", count: n)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
    }
}
