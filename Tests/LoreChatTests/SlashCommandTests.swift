import LoreChat
import LoreRetrieval
import Testing

/// The chat's commands as typed: every command, its argument, and an error naming the
/// command for anything it cannot take.
@Suite("lore chat: slash commands")
struct SlashCommandTests {
    @Test(
        "each command and its argument",
        arguments: [
            ("/help", SlashCommand.help), ("/quit", .quit), ("/exit", .quit), ("  /sources  ", .sources), ("/open 2", .open(2)),
            ("/k 8", .k(8)), ("/mode lexical", .mode(.lexical)), ("/mode dense", .mode(.dense)),
            ("/prompt answer@v2", .prompt("answer@v2")),
            ("/prompt default", .prompt(nil)), ("/backend slow", .backend("slow")), ("/backend default", .backend(nil)), ("/reset", .reset),
            ("/save notes/chat 1.md", .save("notes/chat 1.md"))
        ])
    func parses(_ line: String, _ command: SlashCommand) throws {
        #expect(try SlashCommand.parse(line) == command)
    }

    @Test("a line that does not start with / is a question")
    func questions() throws {
        #expect(try SlashCommand.parse("What is /k for?") == nil)
        #expect(try SlashCommand.parse("How do I turn on WAL mode?") == nil)
    }

    @Test(
        "bad commands are refused with a message naming the command",
        arguments: [
            ("/k", "/k needs a number of passages, at least 1"), ("/k 0", "/k needs a number of passages, at least 1, not 0"),
            ("/open x", "/open needs a source number (1, 2, ...), not x"),
            ("/mode fuzzy", "/mode needs hybrid, dense or lexical, not fuzzy"),
            ("/mode", "/mode needs hybrid, dense or lexical"), ("/backend", "/backend needs a backend name, or default"),
            ("/prompt a b", "/prompt takes one word, not a b"), ("/save", "/save needs a file name"),
            ("/quit now", "/quit takes no argument (got now)"), ("/what", "unknown command /what: /help lists them")
        ])
    func refuses(_ line: String, _ message: String) {
        #expect(throws: SlashCommandError(message)) { try SlashCommand.parse(line) }
    }
}
