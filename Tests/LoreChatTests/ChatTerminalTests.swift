import Foundation
import LoreTestSupport
import Testing

/// `lore chat` in a real terminal (tmux), in process and against `lore serve`: a streamed
/// answer with its sources, a follow-up that leans on the first question, `/sources`,
/// `/bad` (the rating reaches the request log), Ctrl-C in the middle of a long answer (the
/// stream to the LLM is closed and the next question works), Ctrl-C at the prompt, the
/// persistent history, `/quit`.
@Suite("lore chat in a terminal", .serialized)
struct ChatTerminalTests {
    static let prompt = "lore> "

    /// The screen ends with an empty prompt: the chat waits for the next line.
    static func atPrompt(_ screen: String) -> Bool {
        let last = screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return last?.trimmingCharacters(in: .whitespaces) == prompt.trimmingCharacters(in: .whitespaces)
    }

    @Test(
        "a conversation: answer and sources, a follow-up, /sources, /bad, Ctrl-C mid-answer, Ctrl-C at the prompt, /quit",
        arguments: ChatMode.allCases)
    func conversation(_ mode: ChatMode) throws {
        let target = try ChatTarget(mode)
        let state = TemporaryDirectory("lore-chat-state")
        let tmux = try TmuxSession(target.terminalCommand(stateHome: state.path, colour: false))
        defer { tmux.kill() }
        try tmux.waitFor("the banner and the prompt", timeout: 180) { $0.contains("Lore chat") && Self.atPrompt($0) }

        // A question: the answer, then its cited sources (number, title, file).
        try tmux.enter("How do I turn on WAL mode?")
        var screen = try tmux.waitFor("the first answer's sources") { $0.occurrences(of: "Sources:") == 1 && Self.atPrompt($0) }
        var answer = screen.after(last: "lore> How do I turn on WAL mode?")
        #expect(answer.contains("[1]"), "\(answer)")
        #expect(answer.contains("WAL mode"), "\(answer)")
        let sources = answer.after(last: "Sources:")
        #expect(
            sources.contains("SQLite Write-Ahead Logging (WAL) Mode") && sources.contains("corpus/notes/sqlite-wal-mode.txt"), "\(sources)")

        // A follow-up that only makes sense after the first question: retrieval searched
        // for it with the first question's subject, and answered from the WAL notes again.
        try tmux.enter("What does it let readers do?")
        screen = try tmux.waitFor("the follow-up's sources") { $0.occurrences(of: "Sources:") == 2 && Self.atPrompt($0) }
        answer = screen.after(last: "lore> What does it let readers do?")
        #expect(answer.contains("(searched for: What does it let readers do? — How do I turn on WAL mode?)"), "\(answer)")
        #expect(answer.after(last: "Sources:").contains("corpus/notes/sqlite-wal-mode.txt"), "\(answer)")
        #expect(answer.lowercased().contains("reader"), "\(answer)")

        // /sources: every source of the last answer, with its snippet.
        try tmux.enter("/sources")
        screen = try tmux.waitFor("the /sources listing") { $0.after(last: "lore> /sources").contains("(cited)") && Self.atPrompt($0) }
        let listing = screen.after(last: "lore> /sources")
        #expect(listing.contains("[1]") && listing.contains("corpus/notes/sqlite-wal-mode.txt"), "\(listing)")
        #expect(listing.lowercased().contains("wal"), "\(listing)")

        // /bad rates the last answer: the rating is in the request log, with its comment.
        let marker = "vague-\(UUID().uuidString.prefix(8).lowercased())"
        try tmux.enter("/bad too \(marker)")
        try tmux.waitFor("the rating's notice") { $0.contains("Rated the last answer bad (request ") && Self.atPrompt($0) }
        let rated = try runLore(["feedback", "list", "--db", ChatCorpus.shared.database, "--json"])
        #expect(rated.status == 0 && rated.stdout.contains(marker), "\(rated.stdout) \(rated.stderr)")

        // Ctrl-C in the middle of a long answer (300 deltas, 0.2 s apart): once the first
        // words are on screen, Ctrl-C stops it, the prompt comes back and the LLM sees its
        // stream closed.
        try tmux.enter("/backend slow")
        try tmux.waitFor("the backend switch") { $0.contains("backend = slow for the next questions.") && Self.atPrompt($0) }
        try tmux.enter("Why does WAL mode need checkpoints?")
        try tmux.waitFor("the first words of the slow answer") {
            $0.after(last: "lore> Why does WAL mode need checkpoints?").contains("tick")
        }
        try tmux.press("C-c")
        screen = try tmux.waitFor("the stopped answer and the prompt", timeout: 30) { $0.contains("[answer stopped]") && Self.atPrompt($0) }
        let stopped = screen.after(last: "lore> Why does WAL mode need checkpoints?")
        #expect(stopped.occurrences(of: "tick") < 300, "the whole answer came: \(stopped)")
        #expect(!stopped.contains("Sources:"), "\(stopped)")
        let deadline = Date().addingTimeInterval(30)
        var disconnects = 0
        while Date() < deadline, disconnects < 1 {
            disconnects = try ChatCorpus.shared.disconnects(target.key)
            if disconnects < 1 { usleep(50_000) }
        }
        #expect(disconnects == 1, "the stream to the LLM was not closed after Ctrl-C")

        // The next question is answered as usual.
        try tmux.enter("/backend default")
        try tmux.waitFor("the default backend") {
            $0.contains("backend = the configured default for the next questions.") && Self.atPrompt($0)
        }
        try tmux.enter("What is a checkpoint?")
        screen = try tmux.waitFor("the answer after the interruption") { $0.occurrences(of: "Sources:") == 3 && Self.atPrompt($0) }
        #expect(screen.after(last: "lore> What is a checkpoint?").lowercased().contains("checkpoint"), "\(screen)")

        // Ctrl-C at the prompt drops the line being typed: Enter then sends nothing.
        try tmux.type("this line is dropped")
        try tmux.waitFor("the typed line") { $0.contains("lore> this line is dropped") }
        try tmux.press("C-c")
        try tmux.waitFor("a fresh prompt") { $0.contains("lore> this line is dropped^C") && Self.atPrompt($0) }
        try tmux.press("Enter")

        // /quit: the chat exits with status 0, the terminal as it was.
        try tmux.enter("/quit")
        let status = try tmux.waitForExit()
        #expect(status == 0, "the chat did not exit with 0 after /quit: \(String(describing: status))\n\((try? tmux.screen()) ?? "")")

        // The history is kept in $XDG_STATE_HOME/lore/chat_history; the dropped line is not in it.
        let history = try String(contentsOfFile: state.path + "/lore/chat_history", encoding: .utf8)
        #expect(
            history.split(separator: "\n").map(String.init) == [
                "How do I turn on WAL mode?", "What does it let readers do?", "/sources", "/bad too \(marker)", "/backend slow",
                "Why does WAL mode need checkpoints?", "/backend default", "What is a checkpoint?", "/quit"
            ], "\(history)")
    }

    @Test("colour on a terminal; the history of an earlier chat comes back with Up; Ctrl-D leaves")
    func colourHistoryAndControlD() throws {
        let target = try ChatTarget(.inProcess)
        let state = TemporaryDirectory("lore-chat-state")
        try FileManager.default.createDirectory(atPath: state.path + "/lore", withIntermediateDirectories: true)
        try "What is hybrid retrieval?\n".write(toFile: state.path + "/lore/chat_history", atomically: true, encoding: .utf8)
        let tmux = try TmuxSession(target.terminalCommand(stateHome: state.path, colour: true))
        defer { tmux.kill() }
        try tmux.waitFor("the prompt", timeout: 180) { Self.atPrompt($0) }
        let styled = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        #expect(styled.contains("\u{1B}["), "no colour on a terminal: \(styled)")

        try tmux.press("Up")
        try tmux.waitFor("the recalled question") { $0.contains("lore> What is hybrid retrieval?") }
        try tmux.press("Enter")
        try tmux.waitFor("its answer") { $0.contains("Sources:") && Self.atPrompt($0) }
        try tmux.press("C-d")
        let status = try tmux.waitForExit()
        #expect(status == 0, "the chat did not exit with 0 after Ctrl-D: \(String(describing: status))\n\((try? tmux.screen()) ?? "")")
    }
}
