import ArgumentParser
import Foundation
import Logging
import LoreApp
import LoreChat
import LoreRetrieval

/// `lore chat`: a streaming, multi-turn chat with sources, in process or against a server.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with your documents: streamed, cited answers, follow-ups, sources one command away.",
        discussion: """
            In process by default (the pipeline of lore query); with --server, against a running \
            lore serve (POST /v1/query, streamed). Type /help in the chat for its commands. \
            Ctrl-C stops an answer (at the prompt it clears the line), Ctrl-D leaves. The line \
            history is kept in $XDG_STATE_HOME/lore/chat_history (default ~/.local/state/lore). \
            When standard input is not a terminal, each line is a question (or a command) \
            answered in turn, in plain text.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var embedding: EmbedderOptions

    @Option(name: .long, help: "Ask a running lore serve at this URL (http://HOST:PORT) instead of answering in process.")
    var server: String?

    @Option(
        name: .customLong("api-key-env"),
        help: "With --server: the environment variable holding the API key (sent as Authorization: Bearer).")
    var apiKeyEnv: String?

    @Option(name: .long, help: "The collection (default: configuration collection, else default; with --server, the server's default).")
    var collection: String?

    @Option(name: .long, help: "Prompt template NAME@VERSION (/prompt changes it).")
    var prompt: String?

    @Option(name: .long, help: "Generation backend (/backend changes it).")
    var backend: String?

    @Option(name: .long, help: "Passages to answer from (/k changes it).")
    var k: Int?

    @Option(name: .long, help: "Retrieval mode: hybrid, dense or lexical (/mode changes it).")
    var mode: String?

    func validate() throws {
        if let server {
            guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--server must be an http:// or https:// URL, not \(server)")
            }
            if global.db != nil {
                throw ValidationError("--db answers in process; with --server the server's store answers (leave out one of them)")
            }
        } else if apiKeyEnv != nil {
            throw ValidationError("--api-key-env is for --server (the key of the server's API)")
        }
        if let apiKeyEnv, (ProcessInfo.processInfo.environment[apiKeyEnv] ?? "").isEmpty {
            throw ValidationError("--api-key-env: the environment variable \(apiKeyEnv) is not set")
        }
        if let k, k < 1 { throw ValidationError("--k must be at least 1, not \(k)") }
        if let mode, RetrievalMode(rawValue: mode) == nil { throw ValidationError("--mode must be hybrid, dense or lexical, not \(mode)") }
    }

    func run() async throws {
        let interactive = TerminalIO.isInteractive
        // Log lines written into the chat's own screen would break it, and what they report
        // (a failed backend, a guardrail finding) is shown in the chat: on a terminal only
        // critical messages are logged; redirect standard error (2>FILE) to keep the
        // configured level.
        if interactive, isatty(STDERR_FILENO) == 1 { LoggingSetup.bootstrap(level: "critical") }
        var config = try global.configuration()
        let settings = ChatSettings(k: k, mode: mode.flatMap(RetrievalMode.init(rawValue:)), prompt: prompt, backend: backend)
        let source: any AnswerSource
        if let server {
            source = HTTPSource(
                baseURL: server, apiKey: apiKeyEnv.flatMap { ProcessInfo.processInfo.environment[$0] }, collection: collection)
        } else {
            try embedding.apply(to: &config)
            let pipeline = try await QueryServiceFactory.make(config, collection: collection)
            source = try InProcessSource(
                service: pipeline.service, defaults: pipeline.defaults, database: config.database,
                collection: pipeline.collection, collectionID: pipeline.collectionID)
        }
        do { try await source.check(settings) } catch let e as ChatFailure {
            throw ValidationError("--\(e.code): \(e.message)")
        }

        let input: any ChatInput =
            interactive ? TerminalInput(terminal: TerminalIO(), history: LineHistory(path: LineHistory.defaultPath())) : PipedInput()
        let loop = ChatLoop(
            source: source, session: ChatSession(settings: settings),
            renderer: ChatRenderer(colour: ChatRenderer.wantsColour(fd: STDOUT_FILENO)),
            input: input, output: .standardOutput, errors: interactive ? .standardOutput : .standardError,
            interactive: interactive)
        let status = await loop.run()
        if status != 0 { throw ExitCode(status) }
    }
}
