import Foundation
import LoreTestSupport
import Testing

/// `corpus/` ingested once for the chat tests, and the fault-injecting LLM server
/// (`Tests/Fixtures/http/fault_llm.py`), whose `slow-N` stream gives an answer long enough
/// to interrupt.
final class ChatCorpus: @unchecked Sendable {
    static let shared = ChatCorpus()
    let directory = TemporaryDirectory("lore-chat")
    let database: String
    let faultLLM: ServerProcess

    private init() {
        database = directory.path + "/corpus.db"
        let r = try! runLore(["ingest", TestPaths.corpus, "--db", database, "--json"])
        precondition(r.status == 0, "ingest failed: \(r.stderr)")
        faultLLM = try! ServerProcess("/usr/bin/env", ["python3", TestPaths.repositoryRoot + "/Tests/Fixtures/http/fault_llm.py"])
    }

    var faultURL: String { "http://127.0.0.1:\(faultLLM.ready)" }

    /// How many streams to `key` the fault LLM saw the client close.
    func disconnects(_ key: String) throws -> Int {
        let r = try runProcess("/usr/bin/curl", ["-s", "--max-time", "10", faultURL + "/_stats/" + key])
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return o?["disconnects"] as? Int ?? -1
    }
}

/// How the chat gets its answers: the pipeline in process, or a running `lore serve`.
enum ChatMode: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess = "in-process"
    case server

    var testDescription: String { rawValue }
}

/// A chat to test in one mode: a configuration whose default backend is the extractive
/// answerer, with two LLM backends beside it: `slow` (the fault LLM streaming 300 deltas
/// 0.2 s apart, under a key of this target's own) and `down` (a port nothing listens on);
/// in server mode, a `lore serve` with that configuration.
final class ChatTarget: @unchecked Sendable {
    let mode: ChatMode
    let directory = TemporaryDirectory("lore-chat-target")
    /// The fault LLM's key for this target's `slow` backend.
    let key = "chat-\(UUID().uuidString.prefix(8).lowercased())"
    let config: String
    let server: ServerProcess?
    /// In server mode, the API key (made by `lore keys create`) the chat sends from
    /// `$LORE_CHAT_TEST_KEY`, as `--api-key-env` names it: the server requires keys.
    let apiKey: String?
    static let keyVariable = "LORE_CHAT_TEST_KEY"

    /// - Parameter keyArguments: extra `lore keys create` arguments for the server-mode key
    ///   (a rate limit).
    init(_ mode: ChatMode, keyArguments: [String] = []) throws {
        self.mode = mode
        let corpus = ChatCorpus.shared
        config = directory.write(
            "lore.yaml",
            """
            generation:
              backend: extractive
              backends:
                - name: slow
                  base_url: \(corpus.faultURL)/\(key)/slow-300
                  model: fault
                  max_retries: 0
                - name: down
                  base_url: http://127.0.0.1:\(ServerProcess.refusingPort())
                  model: none
                  max_retries: 0
            """)
        switch mode {
        case .inProcess:
            server = nil
            apiKey = nil
        case .server:
            let made = try runLore(["keys", "create", "--db", corpus.database, "--name", key, "--scope", "query"] + keyArguments)
            guard made.status == 0, case let text = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines), text.hasPrefix("lore_")
            else {
                throw ChatFixtureError(description: "lore keys create failed (\(made.status)): \(made.stderr)")
            }
            apiKey = text
            server = try ServerProcess(
                TestPaths.loreBinary, ["serve", "--db", corpus.database, "--port", "0", "--config", config],
                timeout: 120, readyPrefix: "lore serve: listening on ")
        }
    }

    /// `lore chat` and its arguments for this mode.
    var chatArguments: [String] {
        switch mode {
        case .inProcess: return ["chat", "--db", ChatCorpus.shared.database, "--config", config]
        case .server: return ["chat", "--server", server!.ready, "--api-key-env", Self.keyVariable]
        }
    }

    /// Runs `lore chat` with `input` on its standard input (a pipe, not a terminal).
    func piped(_ input: String, environment: [String: String] = [:]) throws -> PipedResult {
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            .merging(apiKey.map { [Self.keyVariable: $0] } ?? [:]) { $1 }
        let r = try runProcess(TestPaths.loreBinary, chatArguments, environment: env, input: input)
        return PipedResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// The shell command that starts `lore chat` in a terminal, with the history kept in
    /// `stateHome`, and prints `[exited N]` with its exit status when it ends.
    func terminalCommand(stateHome: String, colour: Bool = true) -> String {
        let env =
            ["XDG_STATE_HOME=" + stateHome, "TERM=xterm-256color"] + (colour ? [] : ["NO_COLOR=1"])
            + (apiKey.map { [Self.keyVariable + "=" + $0] } ?? [])
        let chat = (["env", "-u", "NO_COLOR"] + env + [TestPaths.loreBinary] + chatArguments).map(Self.quote).joined(separator: " ")
        return chat + "; echo \"[exited $?]\""
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// What a piped chat printed, and its exit status.
struct PipedResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The chat tests' set-up failed.
struct ChatFixtureError: Error, CustomStringConvertible { var description: String }
