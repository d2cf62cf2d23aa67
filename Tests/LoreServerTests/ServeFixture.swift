import Foundation
import Logging
import LoreApp
import LoreTestSupport
import Prometheus
import Testing

/// `corpus/` ingested once for the server tests (collection `default`), and beside it the
/// ingest fixtures' good files as a second collection, `fixtures`.
final class ServeCorpus: Sendable {
    static let shared = SharedFixture { try await ServeCorpus() }
    static let secondCollection = "fixtures"
    let directory = TemporaryDirectory("lore-serve")
    let database: String

    private init() async throws {
        database = directory.path + "/corpus.db"
        let r = try await runLore(["ingest", TestPaths.corpus, "--db", database, "--json"])
        precondition(r.status == 0, "ingest failed: \(r.stderr)")
        let second = try await runLore([
            "ingest", TestPaths.ingestFixtures + "/good", "--db", database, "--collection", Self.secondCollection, "--json"
        ])
        precondition(second.status == 0, "ingest of the second collection failed: \(second.stderr)")
    }

    /// The shared store's path (made on first use).
    static func database() async throws -> String { try await shared.get().database }
}

/// `runLore` for async tests, on a thread of its own (see `offPool`): a test waiting for a
/// command never holds a thread of the cooperative pool that in-process servers answer on.
func runLore(_ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil) async throws
    -> ProcessResult
{
    try await offPool { try LoreTestSupport.runLore(arguments, environment: environment, currentDirectory: currentDirectory) }
}

/// `runProcess` for async tests, on a thread of its own (see `offPool`).
func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil
) async throws -> ProcessResult {
    try await offPool {
        try LoreTestSupport.runProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory)
    }
}

/// A Lore server in this test process, on loopback at a port the system picked: LoreApp's
/// `ServerComposition`, configured as `lore serve` configures it, over `database` (else
/// `ServeCorpus`'s), keyless unless `unauthenticated` is false. `extra` takes the flags of
/// `lore serve` the suites use (`--config FILE`, `--host HOST`); `environment` is laid over
/// this process's when the configuration is read (`LORE_*`). Its metrics go to a registry
/// of its own (its `/metrics`), its JSON log lines to `logFile` when one is given. Requests
/// are made by a real curl. The server stops when the value is released, and with the test
/// process in any case.
final class LoreServe: HTTPTestServer {
    /// The server most tests share, over `ServeCorpus` with the extractive default.
    static let shared = SharedFixture { try await LoreServe() }

    /// `http://127.0.0.1:PORT`.
    let url: String
    let composition: ServerComposition
    private let running: Task<Void, any Error>

    init(
        _ extra: [String] = [], environment: [String: String] = [:], database: String? = nil, unauthenticated: Bool = true,
        logFile: String? = nil
    ) async throws {
        ServerTelemetry.bootstrap()
        var file: String?, host: String?
        var flags = extra.makeIterator()
        while let flag = flags.next() {
            switch flag {
            case "--config": file = flags.next()
            case "--host": host = flags.next()
            default: throw CurlFailure(description: "LoreServe in process does not take \(flag); start a LoreServeProcess")
            }
        }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        var (config, _) = try LoreConfiguration.load(file: file, environment: merged)
        if let database { config.database = database } else { config.database = try await ServeCorpus.database() }
        if let host { config.server.host = host }
        config.server.port = 0
        if unauthenticated { config.server.auth = .unauthenticated }
        let registry = PrometheusCollectorRegistry()
        let sink = logFile.map { LogSink(path: $0, level: Logger.Level(rawValue: config.logLevel) ?? .warning) }
        let composition = try await ServerTelemetry.$registry.withValue(registry) {
            try await ServerComposition(config: config, collection: nil, metrics: { registry.emitToString() })
        }
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let app = composition.application(onListening: { _, port in listening.yield(port) })
        running = Task {
            defer { listening.finish() }
            try await ServerTelemetry.$registry.withValue(registry) {
                try await ServerTelemetry.$log.withValue(sink) { try await app.run() }
            }
        }
        var port: Int?
        for await p in ports {
            port = p
            break
        }
        guard let port else {
            try await running.value
            throw CurlFailure(description: "the in-process server stopped before it listened")
        }
        self.composition = composition
        let shown = config.server.host == "0.0.0.0" || config.server.host == "::" ? "127.0.0.1" : config.server.host
        url = "http://\(shown.contains(":") ? "[\(shown)]" : shown):\(port)"
    }

    deinit {
        running.cancel()
        // Writes what the request log holds and ends its thread.
        composition.close()
    }
}

/// A real `lore serve` process on loopback, on a port the system picked (`--port 0`), read
/// from its `lore serve: listening on` line, for the suites where the process is the point
/// (signals, replicas switching versions). With `--unauthenticated` unless `unauthenticated`
/// is false; over `database`; its JSON log lines (stderr) go to `logFile` when one is given.
final class LoreServeProcess: HTTPTestServer, @unchecked Sendable {
    let process: ServerProcess
    /// `http://127.0.0.1:PORT`.
    let url: String

    init(
        _ extra: [String] = [], environment: [String: String] = [:], database: String, unauthenticated: Bool = true,
        logFile: String? = nil
    ) throws {
        let arguments =
            ["serve", "--db", database, "--port", "0"]
            + (unauthenticated ? ["--unauthenticated"] : []) + extra
        // The log goes through a shell's redirection: ServerProcess discards standard error.
        let (executable, argv) =
            logFile.map { ("/bin/sh", ["-c", #"log="$1"; shift; exec "$@" 2>>"$log""#, "sh", $0, TestPaths.loreBinary] + arguments) }
            ?? (TestPaths.loreBinary, arguments)
        process = try ServerProcess(executable, argv, environment: environment, timeout: 120, readyPrefix: "lore serve: listening on ")
        url = process.ready
    }

    var pid: Int32 { process.process.processIdentifier }

    /// One HTTP exchange, made by a real curl.
    func request(
        _ method: String, _ path: String, json body: String? = nil, bodyFile: String? = nil,
        headers: [String: String] = [:], arguments: [String] = []
    ) throws -> HTTPExchange {
        try curlExchange(url, method, path, json: body, bodyFile: bodyFile, headers: headers, arguments: arguments)
    }

    func post(_ path: String, _ json: String, headers: [String: String] = [:]) throws -> HTTPExchange {
        try request("POST", path, json: json, headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPExchange {
        try request("GET", path, headers: headers)
    }
}

/// A server the HTTP suites talk to at `url` (in process or a process).
protocol HTTPTestServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    var url: String { get }
}

extension HTTPTestServer {
    /// One HTTP exchange, made by a real curl (on a thread of its own: see `offPool`).
    /// `arguments` go to curl as they are (e.g. `-F` form fields, `--path-as-is`).
    func request(
        _ method: String, _ path: String, json body: String? = nil, bodyFile: String? = nil,
        headers: [String: String] = [:], arguments: [String] = []
    ) async throws -> HTTPExchange {
        let url = url
        return try await offPool {
            try curlExchange(url, method, path, json: body, bodyFile: bodyFile, headers: headers, arguments: arguments)
        }
    }

    func post(_ path: String, _ json: String, headers: [String: String] = [:]) async throws -> HTTPExchange {
        try await request("POST", path, json: json, headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPExchange {
        try await request("GET", path, headers: headers)
    }
}

/// One HTTP exchange with the server at `base`, made by a real curl: `json` (or the file
/// `bodyFile`) as an `application/json` body, `headers`, and `arguments` as they are.
func curlExchange(
    _ base: String, _ method: String, _ path: String, json body: String? = nil, bodyFile: String? = nil,
    headers: [String: String] = [:], arguments: [String] = []
) throws -> HTTPExchange {
    let dir = TemporaryDirectory("lore-http")
    var args = [
        "-s", "-S", "-X", method, "-o", dir.path + "/body", "-D", dir.path + "/headers", "-w", "%{http_code}",
        "--max-time", "120"
    ]
    for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
    if let file = bodyFile ?? body.map({ dir.write("request.json", $0) }) {
        args += ["-H", "Content-Type: application/json", "--data-binary", "@" + file]
    }
    args += arguments
    args.append(base + path)
    let r = try runProcess("/usr/bin/curl", args)
    guard r.status == 0, let status = Int(r.stdout) else {
        throw CurlFailure(description: "curl \(method) \(path) failed (\(r.status)): \(r.stderr)")
    }
    let head = (try? String(contentsOfFile: dir.path + "/headers", encoding: .utf8)) ?? ""
    var fields: [String: String] = [:]
    for line in head.split(whereSeparator: \.isNewline) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let text = (try? String(contentsOfFile: dir.path + "/body", encoding: .utf8)) ?? ""
    return HTTPExchange(status: status, headers: fields, body: text)
}

/// curl could not make the exchange (no connection, no status).
struct CurlFailure: Error, CustomStringConvertible { var description: String }

/// A response as the client saw it.
struct HTTPExchange {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: String

    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }

    /// `error.code` and `error.message` of Lore's error shape, when the body has exactly it.
    var error: (code: String, message: String)? {
        guard let o = json, o.count == 1, let e = o["error"] as? [String: Any], e.count == 2,
            let code = e["code"] as? String, let message = e["message"] as? String
        else { return nil }
        return (code, message)
    }
}

/// Server-sent events as `event` name and `data` text, in order.
func parseEvents(_ text: String) -> [(event: String, data: String)] {
    var out: [(String, String)] = []
    for block in text.components(separatedBy: "\n\n") where !block.isEmpty {
        var name = "message", data = ""
        for line in block.split(separator: "\n") {
            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data += line.dropFirst(6) }
        }
        out.append((name, data))
    }
    return out
}
