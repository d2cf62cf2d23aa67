import ArgumentParser
import Foundation
import LoreApp
import LoreChat

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

    /// The options as LoreApp's request.
    var request: ChatRequest {
        ChatRequest(
            server: server, apiKeyEnv: apiKeyEnv, databaseGiven: global.db != nil, collection: collection, prompt: prompt, backend: backend,
            k: k, mode: mode)
    }

    func validate() throws {
        try Output.mapping { try request.validate() }
    }

    func run() async throws {
        // Log lines written into the chat's own screen would break it, and what they report
        // (a failed backend, a guardrail finding) is shown in the chat: on a terminal only
        // critical messages are logged; redirect standard error (2>FILE) to keep the
        // configured level.
        if TerminalIO.isInteractive, isatty(STDERR_FILENO) == 1 { ProcessTelemetry.bootstrapLogging(level: "critical") }
        let status = try await Output.mapping {
            // In process the embedder flags apply; with a server they do not.
            try await ChatCommand.run(request, config: request.server == nil ? global.configuration(embedding) : global.configuration())
        }
        if status != 0 { throw ExitCode(status) }
    }
}
