import LoreChat
import LoreCore
import Testing

/// The conversation the chat keeps: its id, the history sent with a follow-up, `/reset`.
@Suite("lore chat: the session")
struct ChatSessionTests {
    @Test("answered and interrupted turns go out as history under one conversation id; failed ones do not; /reset starts anew")
    func history() {
        var session = ChatSession(settings: ChatSettings(k: 3))
        let id = session.conversationID
        #expect(id.hasPrefix("c-") && id.count == 18)
        session.record(
            ChatTurn(
                question: "How do I turn on WAL mode?", answer: "Run PRAGMA journal_mode=WAL [1].", citations: [],
                standaloneQuestion: nil, interrupted: false, failure: nil))
        session.record(
            ChatTurn(
                question: "And checkpoints?", answer: "", citations: [], standaloneQuestion: nil, interrupted: false,
                failure: "cannot reach the server"))
        session.record(
            ChatTurn(question: "Why?", answer: "Because", citations: [], standaloneQuestion: nil, interrupted: true, failure: nil))
        let query = session.query("What does it let readers do?")
        #expect(query.conversationID == id)
        #expect(query.settings.k == 3)
        #expect(
            query.history == [
                ChatMessage(.user, "How do I turn on WAL mode?"), ChatMessage(.assistant, "Run PRAGMA journal_mode=WAL [1]."),
                ChatMessage(.user, "Why?"), ChatMessage(.assistant, "Because")
            ])
        session.reset()
        #expect(session.conversationID != id && session.turns.isEmpty && session.settings.k == 3)
        #expect(session.query("Hello?").history.isEmpty)
    }

    @Test("without colour, nothing the renderer writes has an escape code")
    func plainRenderer() {
        let plain = ChatRenderer(colour: false)
        for text in [
            plain.prompt.text, plain.banner(source: "x", conversationID: "c"), plain.help(), plain.error("e"), plain.notice("n"),
            plain.interrupted()
        ] {
            #expect(!text.contains("\u{1B}"), "\(text.debugDescription)")
        }
        #expect(ChatRenderer(colour: true).error("e").contains("\u{1B}[31m"))
    }
}
