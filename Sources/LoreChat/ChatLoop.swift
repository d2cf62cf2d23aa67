import Foundation
import Logging
import LoreQuery

/// The chat: reads lines, runs slash commands, asks questions and streams the answers,
/// until `/quit` or the end of the input. Errors are shown and the chat goes on.
public final class ChatLoop {
    public let source: any AnswerSource
    public private(set) var session: ChatSession
    let renderer: ChatRenderer
    let input: any ChatInput
    let output: ChatOutput
    /// Where errors go: the chat's own output on a terminal, standard error when piped.
    let errors: ChatOutput
    /// A person at a terminal (banner, prompt); false for piped input.
    let interactive: Bool
    private let logger: Logger
    private var failures = 0

    public init(
        source: any AnswerSource, session: ChatSession, renderer: ChatRenderer, input: any ChatInput,
        output: ChatOutput, errors: ChatOutput, interactive: Bool, logger: Logger = Logger(label: "lore.chat")
    ) {
        self.source = source
        self.session = session
        self.renderer = renderer
        self.input = input
        self.output = output
        self.errors = errors
        self.interactive = interactive
        self.logger = logger
    }

    /// Runs the chat to its end. Returns the exit status: 0, or 1 when a piped question
    /// failed (scripts can tell).
    public func run() async -> Int32 {
        defer { input.close() }
        if interactive { output.write(renderer.banner(source: source.label, conversationID: session.conversationID)) }
        let prompt = renderer.prompt
        while let raw = await input.readLine(prompt: prompt.text, width: prompt.width) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            if !interactive { output.write(renderer.echo(line)) }
            let command: SlashCommand?
            do { command = try SlashCommand.parse(line) } catch {
                showError(error.description)
                continue
            }
            if let command {
                if command == .quit { break }
                await perform(command)
            } else {
                await ask(line)
            }
            output.write("\n")
        }
        return interactive || failures == 0 ? 0 : 1
    }

    private func showError(_ text: String) {
        failures += 1
        errors.write(renderer.error(text))
    }

    // MARK: Questions

    /// What came of one streamed answer.
    struct Outcome: Sendable {
        var streamed = ""
        var citations: [Citation] = []
        var response: QueryResponse?
        var failure: String?
        var interrupted = false
    }

    func ask(_ question: String) async {
        let query = session.query(question)
        let source: any AnswerSource = self.source
        let output: ChatOutput = self.output
        let task = Task { await ChatLoop.stream(query, from: source, to: output) }
        let watcher = input.watchInterrupts { task.cancel() }
        let outcome = await task.value
        watcher?.stop()

        if !outcome.streamed.isEmpty, !outcome.streamed.hasSuffix("\n") { output.write("\n") }
        if outcome.interrupted {
            output.write(renderer.interrupted())
            logger.info("answer stopped", metadata: ["conversation_id": "\(session.conversationID)", "chars": "\(outcome.streamed.count)"])
        } else if let failure = outcome.failure {
            showError(failure)
        } else if let response = outcome.response {
            output.write("\n" + renderer.afterAnswer(response))
            logger.info(
                "answered",
                metadata: [
                    "conversation_id": "\(session.conversationID)", "request_id": "\(response.requestID)",
                    "finish": "\(response.finishReason)",
                    "sources": "\(response.citations.count)", "ms": "\(Int(response.timingsMs.total))"
                ])
        }
        session.record(
            ChatTurn(
                question: question, answer: outcome.response?.answer ?? outcome.streamed,
                citations: outcome.response?.citations ?? outcome.citations, standaloneQuestion: outcome.response?.standaloneQuestion,
                settings: query.settings, interrupted: outcome.interrupted, failure: outcome.interrupted ? nil : outcome.failure,
                requestID: outcome.response?.requestID))
    }

    /// Streams one answer to `output` as it comes. Cancelling the task stops it.
    static func stream(_ query: ChatQuery, from source: any AnswerSource, to output: ChatOutput) async -> Outcome {
        var outcome = Outcome()
        do {
            for try await event in source.answer(query) {
                switch event {
                case .retrieval(let citations): outcome.citations = citations
                case .delta(let text):
                    outcome.streamed += text
                    output.write(text)
                case .guardrail: break  // listed after the answer, from the response
                case .done(let response): outcome.response = response
                }
            }
        } catch {
            if !Task.isCancelled { outcome.failure = (error as? ChatFailure)?.description ?? String(describing: error) }
        }
        if Task.isCancelled, outcome.response == nil { outcome.interrupted = true }
        if outcome.response == nil, outcome.failure == nil, !outcome.interrupted {
            outcome.failure = "the answer ended without being done"
        }
        return outcome
    }

    // MARK: Commands

    func perform(_ command: SlashCommand) async {
        switch command {
        case .help:
            output.write(renderer.help())
        case .quit:
            break
        case .sources:
            guard let turn = session.lastAnswered else { return showError("/sources: no answer with sources yet; ask a question first") }
            output.write(renderer.sources(turn.citations))
        case .open(let n):
            guard let turn = session.lastAnswered else { return showError("/open: no answer with sources yet; ask a question first") }
            guard let citation = turn.citations.first(where: { $0.n == n }) else {
                return showError("/open: the last answer has sources 1 to \(turn.citations.count), not \(n)")
            }
            do {
                let text = try await source.passageText(
                    citation, standaloneQuestion: turn.standaloneQuestion ?? turn.question, settings: turn.settings)
                output.write(renderer.passage(citation, text: text))
            } catch {
                showError("/open \(n): \(error)")
            }
        case .k(let k):
            await change("k = \(k)") { $0.k = k }
        case .mode(let mode):
            await change("mode = \(mode.rawValue)") { $0.mode = mode }
        case .prompt(let prompt):
            await change("prompt = \(prompt ?? "the configured default")") { $0.prompt = prompt }
        case .backend(let backend):
            await change("backend = \(backend ?? "the configured default")") { $0.backend = backend }
        case .rate(let rating, let comment):
            let name = rating > 0 ? "/good" : "/bad"
            guard let turn = session.lastFinished, let id = turn.requestID else {
                return showError("\(name): no finished answer to rate yet; ask a question first")
            }
            do {
                try await source.rate(requestID: id, rating: rating, comment: comment)
                output.write(renderer.notice("Rated the last answer \(rating > 0 ? "good" : "bad") (request \(id))."))
            } catch {
                showError("\(name): \(error)")
            }
        case .reset:
            session.reset()
            output.write(renderer.notice("New conversation \(session.conversationID)."))
        case .save(let file):
            let path = (file as NSString).expandingTildeInPath
            do {
                try TranscriptMarkdown.render(session, source: source.label).write(toFile: path, atomically: true, encoding: .utf8)
                output.write(renderer.notice("Saved \(session.turns.count) turn\(session.turns.count == 1 ? "" : "s") to \(path)."))
            } catch {
                showError("/save: cannot write \(path): \(error.localizedDescription)")
            }
        }
    }

    /// Applies a settings change once the source accepts it.
    private func change(_ what: String, _ edit: (inout ChatSettings) -> Void) async {
        var settings = session.settings
        edit(&settings)
        do {
            try await source.check(settings)
        } catch let e as ChatFailure {
            return showError("/\(e.code): \(e.message)")
        } catch {
            return showError("\(error)")
        }
        session.settings = settings
        output.write(renderer.notice("\(what) for the next questions."))
    }
}
