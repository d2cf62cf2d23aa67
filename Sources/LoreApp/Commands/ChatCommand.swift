import Foundation
import LoreChat
import LoreOps
import LoreRetrieval
import LoreStore

/// The options of `lore chat`.
public struct ChatRequest: Sendable {
    /// A running `lore serve` to ask (http:// or https://), and the environment variable
    /// holding its API key.
    public var server: String?, apiKeyEnv: String?
    /// Whether `--db` was given (it answers in process, so it excludes `server`).
    public var databaseGiven: Bool
    /// The collection, the prompt template, the backend, the passages and the retrieval mode.
    public var collection: String?, prompt: String?, backend: String?, k: Int?, mode: String?

    /// A request with these options.
    public init(
        server: String?, apiKeyEnv: String?, databaseGiven: Bool, collection: String?, prompt: String?, backend: String?, k: Int?,
        mode: String?
    ) {
        self.server = server
        self.apiKeyEnv = apiKeyEnv
        self.databaseGiven = databaseGiven
        self.collection = collection
        self.prompt = prompt
        self.backend = backend
        self.k = k
        self.mode = mode
    }

    /// Checks the server URL, the options that go with it, the key's variable, k and the mode.
    public func validate() throws {
        if let server {
            guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw UsageError("--server must be an http:// or https:// URL, not \(server)")
            }
            if databaseGiven {
                throw UsageError("--db answers in process; with --server the server's store answers (leave out one of them)")
            }
        } else if apiKeyEnv != nil {
            throw UsageError("--api-key-env is for --server (the key of the server's API)")
        }
        if let apiKeyEnv, (ProcessInfo.processInfo.environment[apiKeyEnv] ?? "").isEmpty {
            throw UsageError("--api-key-env: the environment variable \(apiKeyEnv) is not set")
        }
        if let k, k < 1 { throw UsageError("--k must be at least 1, not \(k)") }
        if let mode, RetrievalMode(rawValue: mode) == nil { throw UsageError("--mode must be hybrid, dense or lexical, not \(mode)") }
    }
}

/// `lore chat`: a streaming, multi-turn chat with sources, in process or against a server.
public enum ChatCommand {
    /// Runs the chat on the terminal (or over piped lines) until it ends; returns its exit
    /// status. `config` is used in process (with a server, only the server answers).
    public static func run(_ request: ChatRequest, config: LoreConfiguration) async throws -> Int32 {
        let interactive = TerminalIO.isInteractive
        let settings = ChatSettings(
            k: request.k, mode: request.mode.flatMap(RetrievalMode.init(rawValue:)), prompt: request.prompt, backend: request.backend)
        let source: any AnswerSource
        var requestLog: RequestLog? = nil
        defer { requestLog?.close() }
        if let server = request.server {
            source = HTTPSource(
                baseURL: server, apiKey: request.apiKeyEnv.flatMap { ProcessInfo.processInfo.environment[$0] },
                collection: request.collection)
        } else {
            requestLog = try config.openRequestLog(storeIsReadOnly: false)
            let pipeline = try await QueryServiceFactory.make(config, collection: request.collection, requestLog: requestLog)
            var rater: (@Sendable (String, Int, String?) async throws -> Bool)? = nil
            if let log = requestLog {
                let book = try FeedbackBook(log: log)
                rater = { id, rating, comment in
                    let feedback = FeedbackRecord(requestID: id, rating: rating, comment: comment)
                    return try await book.rate(feedback, mayRate: { _ in true }) != nil
                }
            }
            source = try InProcessSource(
                service: pipeline.service, defaults: pipeline.defaults, database: config.database,
                collection: pipeline.collection, collectionID: pipeline.collectionID, rater: rater)
        }
        do { try await source.check(settings) } catch let e as ChatFailure {
            throw UsageError("--\(e.code): \(e.message)")
        }

        let input: any ChatInput =
            interactive ? TerminalInput(terminal: TerminalIO(), history: LineHistory(path: LineHistory.defaultPath())) : PipedInput()
        let loop = ChatLoop(
            source: source, session: ChatSession(settings: settings),
            renderer: ChatRenderer(colour: ChatRenderer.wantsColour(fd: STDOUT_FILENO)),
            input: input, output: .standardOutput, errors: interactive ? .standardOutput : .standardError,
            interactive: interactive)
        return await loop.run()
    }
}
