import Foundation
import LoreRetrieval

/// A line starting with `/`: a chat command.
public enum SlashCommand: Equatable, Sendable {
    case help
    case quit
    case sources
    case open(Int)
    case k(Int)
    case mode(RetrievalMode)
    /// `nil` goes back to the default template.
    case prompt(String?)
    /// `nil` goes back to the default backend.
    case backend(String?)
    case reset
    case save(String)
    /// `/good` and `/bad [comment]`: a rating (1 or -1) of the last answer.
    case rate(Int, comment: String?)

    /// One line per command, for `/help`.
    public static let summary: [(usage: String, meaning: String)] = [
        ("/help", "this list"),
        ("/sources", "the last answer's sources with their snippets"),
        ("/open N", "the whole passage of source N"),
        ("/k N", "answer from N passages"),
        ("/mode hybrid|dense|lexical", "how passages are retrieved"),
        ("/prompt NAME@VERSION", "the answer template (/prompt default: the configured one)"),
        ("/backend NAME", "the generation backend (/backend default: the configured one)"),
        ("/good", "rate the last answer good"),
        ("/bad [COMMENT]", "rate the last answer bad, saying why"),
        ("/reset", "start a new conversation"),
        ("/save FILE", "write the conversation as Markdown with its sources"),
        ("/quit", "leave (also Ctrl-D)")
    ]

    /// The command on `line`; nil when the line is not a command (a question). A command
    /// that is unknown or has a bad argument throws, naming the command.
    public static func parse(_ line: String) throws(SlashCommandError) -> SlashCommand? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("/") else { return nil }
        let words = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let name = String(words[0])
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""

        func none(_ command: SlashCommand) throws(SlashCommandError) -> SlashCommand {
            guard argument.isEmpty else { throw SlashCommandError("\(name) takes no argument (got \(argument))") }
            return command
        }
        func number(_ what: String) throws(SlashCommandError) -> Int {
            guard let n = Int(argument), n >= 1 else {
                throw SlashCommandError(argument.isEmpty ? "\(name) needs \(what)" : "\(name) needs \(what), not \(argument)")
            }
            return n
        }
        func word(_ what: String) throws(SlashCommandError) -> String? {
            guard !argument.isEmpty else { throw SlashCommandError("\(name) needs \(what)") }
            guard !argument.contains(" ") else { throw SlashCommandError("\(name) takes one word, not \(argument)") }
            return argument == "default" ? nil : argument
        }

        switch name {
        case "/help", "/?": return try none(.help)
        case "/quit", "/exit", "/q": return try none(.quit)
        case "/sources": return try none(.sources)
        case "/reset": return try none(.reset)
        case "/open": return .open(try number("a source number (1, 2, ...)"))
        case "/k": return .k(try number("a number of passages, at least 1"))
        case "/mode":
            guard let mode = RetrievalMode(rawValue: argument) else {
                throw SlashCommandError("/mode needs hybrid, dense or lexical\(argument.isEmpty ? "" : ", not \(argument)")")
            }
            return .mode(mode)
        case "/prompt": return .prompt(try word("a template NAME@VERSION, or default"))
        case "/backend": return .backend(try word("a backend name, or default"))
        case "/good": return try none(.rate(1, comment: nil))
        case "/bad": return .rate(-1, comment: argument.isEmpty ? nil : argument)
        case "/save":
            guard !argument.isEmpty else { throw SlashCommandError("/save needs a file name") }
            return .save(argument)
        default:
            throw SlashCommandError("unknown command \(name): /help lists them")
        }
    }
}

/// A command the chat cannot run as typed; the message names the command.
public struct SlashCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
