import Foundation
import LoreTestSupport
import Testing

/// `corpus/` ingested once for the server tests (collection `default`), and beside it the
/// ingest fixtures' good files as a second collection, `fixtures`.
final class ServeCorpus: @unchecked Sendable {
    static let shared = ServeCorpus()
    static let secondCollection = "fixtures"
    let directory = TemporaryDirectory("lore-serve")
    let database: String

    private init() {
        database = directory.path + "/corpus.db"
        let r = try! runLore(["ingest", TestPaths.corpus, "--db", database, "--json"])
        precondition(r.status == 0, "ingest failed: \(r.stderr)")
        let second = try! runLore([
            "ingest", TestPaths.ingestFixtures + "/good", "--db", database, "--collection", Self.secondCollection, "--json"
        ])
        precondition(second.status == 0, "ingest of the second collection failed: \(second.stderr)")
    }
}

/// A real `lore serve` on loopback, on a port the system picked (`--port 0`), read from its
/// `lore serve: listening on` line. With `--unauthenticated` unless `unauthenticated` is
/// false (then every API route needs a key); over `database`, else `ServeCorpus`'s; its
/// JSON log lines (stderr) go to `logFile` when one is given.
final class LoreServe: @unchecked Sendable {
    /// The server most tests share, over `ServeCorpus` with the extractive default.
    static let shared = Result { try LoreServe() }

    let process: ServerProcess
    /// `http://127.0.0.1:PORT`.
    let url: String

    /// - Parameters:
    ///   - database: the store to serve (default: the shared `ServeCorpus`, which suites that
    ///     write must not use).
    ///   - unauthenticated: pass `--unauthenticated` (keyless access on loopback).
    ///   - logFile: append the server's standard error (its JSON log) to this file.
    init(
        _ extra: [String] = [], environment: [String: String] = [:], database: String? = nil, unauthenticated: Bool = true,
        logFile: String? = nil
    ) throws {
        let arguments =
            ["serve", "--db", database ?? ServeCorpus.shared.database, "--port", "0"]
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
    /// `arguments` go to curl as they are (e.g. `-F` form fields, `--path-as-is`).
    func request(
        _ method: String, _ path: String, json body: String? = nil, bodyFile: String? = nil,
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
        args.append(url + path)
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

    func post(_ path: String, _ json: String, headers: [String: String] = [:]) throws -> HTTPExchange {
        try request("POST", path, json: json, headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPExchange {
        try request("GET", path, headers: headers)
    }
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
