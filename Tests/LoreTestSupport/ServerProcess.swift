import Foundation

/// A server started for a test: a real process that prints a line starting with `READY`
/// (or another `readyPrefix`) on standard output once it serves. Stopped with SIGTERM by
/// `stop()` or on deinit.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    /// The rest of the ready line (e.g. a URL or a port).
    public private(set) var ready = ""
    private var stopped = false

    /// Starts `executable` and waits (up to `timeout`) for its ready line.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 300,
        readyPrefix: String = "READY"
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        ChildWatchdog.watch(process.processIdentifier)
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = Data()
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix(readyPrefix) }) {
                ready = String(line.dropFirst(readyPrefix.count)).trimmingCharacters(in: .whitespaces)
                return
            }
        }
        stop()
        throw ServerError(description: "\(executable) \(arguments.joined(separator: " ")) did not become ready")
    }

    public struct ServerError: Error, CustomStringConvertible { public var description: String }

    /// Sends SIGTERM, and SIGKILL if the process is still there after `grace` seconds (a
    /// child may inherit SIGTERM as ignored from the test runner). Returns true when the
    /// process exited on its own within the grace, false when it had to be killed (or was
    /// stopped before). Polls rather than calling `waitUntilExit`, which spins on a busy
    /// loop off the main thread. A test that checks what a server does on SIGTERM (drains a
    /// queue, exports spans) passes a grace long enough for that work on a loaded machine.
    @discardableResult
    public func stop(grace: Double = 1) -> Bool {
        guard !stopped else { return false }
        stopped = true
        let pid = process.processIdentifier
        var exitedOnItsOwn = true
        for (signal, wait) in [(SIGTERM, grace), (SIGKILL, 10.0)] where process.isRunning {
            if signal == SIGKILL { exitedOnItsOwn = false }
            kill(pid, signal)
            let deadline = Date().addingTimeInterval(wait)
            while process.isRunning, Date() < deadline { usleep(20_000) }
        }
        return exitedOnItsOwn
    }

    deinit { stop() }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return boundPort(fd)
    }

    /// A TCP port on 127.0.0.1 where nothing listens, for as long as the test process runs:
    /// a socket is bound to it and never listens, so a connection is refused at once, and
    /// no server can take the port meanwhile (a port that was merely free a moment ago can
    /// be taken by a server another test starts, in this process or another, and then
    /// answers).
    public static func refusingPort() -> Int {
        // The socket stays open until the process ends, on purpose (a few per run).
        boundPort(socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0))
    }

    /// Starts a server that takes its port as an argument (`start`) on a port free a moment
    /// ago. The port can be taken before the server binds it (by a server another test starts
    /// on port 0), and the scripts then exit at once, refusing a port in use: a start that
    /// fails within 30 s is tried again on another port, three times in all.
    public static func onFreePort(_ start: (Int) throws -> ServerProcess) throws -> (server: ServerProcess, url: String) {
        var attempt = 1
        while true {
            let port = freePort()
            let began = Date()
            do {
                return (try start(port), "http://127.0.0.1:\(port)")
            } catch  where attempt < 3 && Date().timeIntervalSince(began) < 30 {
                attempt += 1
            }
        }
    }

    /// Binds `fd` to 127.0.0.1 on a port the system picks, and returns the port.
    private static func boundPort(_ fd: Int32) -> Int {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// The real embeddings server (infinity-emb serving all-MiniLM-L6-v2), from `scripts/embedding-server`.
public enum EmbeddingServer {
    /// One server under the default name for the whole test process, started on first use.
    public static let shared: Result<(server: ServerProcess, url: String), any Error> = Result { try start() }

    /// Starts one on a free port; `modelName` is the name it serves the model under.
    public static func start(modelName: String = "all-MiniLM-L6-v2") throws -> (server: ServerProcess, url: String) {
        try ServerProcess.onFreePort { port in
            try ServerProcess(
                "/bin/bash", [TestPaths.repositoryRoot + "/scripts/embedding-server", String(port)],
                environment: ["EMBEDDING_SERVER_MODEL_NAME": modelName])
        }
    }

    /// Starts the fault proxy in front of `upstream`.
    public static func faultProxy(upstream: String, _ options: [String]) throws -> (server: ServerProcess, url: String) {
        let proxy = try ServerProcess(
            "/usr/bin/env", ["python3", TestPaths.repositoryRoot + "/Tests/Fixtures/http/fault_proxy.py", "--upstream", upstream] + options)
        return (proxy, "http://127.0.0.1:\(proxy.ready)")
    }
}

/// The real LLM server (llama-cpp-python serving SmolLM2-135M-Instruct) from
/// `scripts/llm-server`, one per test process: started on first use, stopped when the
/// process exits (the script kills the server when its parent has gone).
public enum LLMServer {
    public static let shared: Result<(server: ServerProcess, url: String), any Error> = Result {
        try ServerProcess.onFreePort { port in
            try ServerProcess("/bin/bash", [TestPaths.repositoryRoot + "/scripts/llm-server", String(port)], timeout: 900)
        }
    }

    /// The base URL, starting the server if needed.
    public static func url() throws -> String { try shared.get().url }

    /// The model name the script serves.
    public static let model = "smollm2"
}
