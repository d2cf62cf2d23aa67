import Foundation
import LoreTestSupport
import Testing

/// `corpus/` ingested once into a working store and published (`lore ingest corpus --db
/// WORK --publish DIR`) for the cluster fault tests. A test that publishes a new version
/// does it into its own copy (`copy()`), so the tests do not depend on their order.
final class ClusterCorpus: @unchecked Sendable {
    static let shared = Result { try ClusterCorpus() }
    let directory = TemporaryDirectory("lore-cluster")
    /// The working store, `lore ingest` writes it.
    let work: String
    /// The published directory replicas serve (`versions/`, `current`).
    let published: String

    private init() throws {
        work = directory.path + "/work.db"
        published = directory.path + "/published"
        let r = try runLore(["ingest", TestPaths.corpus, "--db", work, "--publish", published, "--json"])
        guard r.status == 0 else { throw ClusterFailure(description: "ingest --publish failed (\(r.status)): \(r.stderr)") }
    }

    /// A copy of the working store and the published directory, for a test that publishes.
    func copy() throws -> (dir: TemporaryDirectory, work: String, published: String) {
        let dir = TemporaryDirectory("lore-cluster-copy")
        // cp -a keeps the `current` symbolic link a link (relative, as lore writes it).
        // The store with its WAL, if any: no one writes it while it is copied.
        let sidecars = ["-wal", "-shm"].filter { FileManager.default.fileExists(atPath: work + $0) }
            .map { (work + $0, "work.db" + $0) }
        for (source, name) in [(work, "work.db"), (published, "published")] + sidecars {
            let r = try runProcess("/bin/cp", ["-a", source, dir.path + "/" + name])
            guard r.status == 0 else { throw ClusterFailure(description: "cp -a \(source): \(r.stderr)") }
        }
        return (dir, dir.path + "/work.db", dir.path + "/published")
    }
}

struct ClusterFailure: Error, CustomStringConvertible { var description: String }

/// A cluster started by `scripts/cluster` (nginx in front of N `lore serve --published`
/// replicas, optionally the real LLM server) in a temporary run directory; stopped by
/// `stop()` or on deinit. Every part is its own process group, so a test killing one
/// replica with SIGKILL leaves the others alone.
final class Cluster: @unchecked Sendable {
    static let script = TestPaths.repositoryRoot + "/scripts/cluster"
    let runDirectory: TemporaryDirectory
    /// The front URL (nginx), `http://127.0.0.1:PORT`.
    let url: String
    private var stopped = false

    /// The configuration the tests serve with: the extractive answerer by default, and a
    /// backend named `llm` (its base URL comes from scripts/cluster --llm, through
    /// LORE_LLM_BASE_URL) that fails fast when the server is gone: no retries, a short
    /// connect timeout. One LLM request at a time is computed on a CPU: generous
    /// first-token and request limits.
    static func configuration(in dir: TemporaryDirectory) -> String {
        dir.write(
            "lore.yaml",
            """
            generation:
              backend: extractive
              backends:
                - name: llm
                  base_url: http://127.0.0.1:9
                  model: smollm2
                  max_retries: 0
                  connect_timeout_s: 2
                  first_token_timeout_s: 120
                  request_timeout_s: 180
            """)
    }

    init(replicas: Int, published: String, llm: Bool = false, config: String? = nil) throws {
        let runDirectory = TemporaryDirectory("lore-cluster-run")
        self.runDirectory = runDirectory
        var args = [
            Self.script, "start", "--replicas", String(replicas), "--published", published,
            "--run-dir", runDirectory.path, "--timeout", "120"
        ]
        if llm { args.append("--llm") }
        if let config { args += ["--config", config] }
        let r = try Self.run(args)
        guard r.status == 0, let front = r.stdout.split(separator: "\n").last.map(String.init), front.hasPrefix("http://") else {
            // The script stopped whatever it had started.
            throw ClusterFailure(description: "scripts/cluster start failed (\(r.status)):\n\(r.stderr)\(Self.logs(runDirectory.path))")
        }
        url = front
    }

    /// Runs scripts/cluster with the test's lore binary.
    static func run(_ arguments: [String]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LORE_BIN"] = TestPaths.loreBinary
        return try runProcess("/bin/bash", arguments, environment: env)
    }

    /// scripts/cluster COMMAND... on this cluster; throws with its output when it fails.
    func command(_ arguments: [String]) throws {
        let r = try Self.run([Self.script] + arguments + ["--run-dir", runDirectory.path])
        guard r.status == 0 else {
            throw ClusterFailure(description: "scripts/cluster \(arguments.joined(separator: " ")) failed (\(r.status)):\n\(r.stderr)")
        }
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? Self.run([Self.script, "stop", "--run-dir", runDirectory.path])
    }

    deinit { stop() }

    /// The last lines of every log in the run directory (for failure messages).
    static func logs(_ dir: String) -> String {
        let files = ["replica-1.log", "replica-2.log", "llm.log", "nginx/error.log"]
        return files.compactMap { name -> String? in
            guard let text = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) else { return nil }
            return "\n--- \(name):\n" + text.split(separator: "\n").suffix(8).joined(separator: "\n")
        }.joined()
    }
    var logs: String { Self.logs(runDirectory.path) }

    /// `cluster.env`, read now (restarts change pids).
    var environment: [String: String] {
        let text = (try? String(contentsOfFile: runDirectory.path + "/cluster.env", encoding: .utf8)) ?? ""
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }

    func replicaPort(_ i: Int) -> Int { Int(environment["REPLICA_\(i)_PORT"] ?? "") ?? 0 }
    func replicaPID(_ i: Int) -> Int32 { Int32(environment["REPLICA_\(i)_PID"] ?? "") ?? 0 }
    func replicaURL(_ i: Int) -> String { "http://127.0.0.1:\(replicaPort(i))" }

    /// One exchange through nginx (or with `base`, straight to a replica), by curl.
    func request(_ method: String, _ path: String, json: String? = nil, base: String? = nil) throws -> HTTPExchange {
        let dir = TemporaryDirectory("lore-cluster-http")
        var args = [
            "-s", "-S", "-X", method, "-o", dir.path + "/body", "-D", dir.path + "/headers", "-w", "%{http_code}", "--max-time", "60"
        ]
        if let json { args += ["-H", "Content-Type: application/json", "--data-binary", "@" + dir.write("request.json", json)] }
        args.append((base ?? url) + path)
        let r = try runProcess("/usr/bin/curl", args)
        guard r.status == 0, let status = Int(r.stdout) else {
            throw CurlFailure(description: "curl \(method) \((base ?? url) + path) failed (\(r.status)): \(r.stderr)")
        }
        var fields: [String: String] = [:]
        for line in ((try? String(contentsOfFile: dir.path + "/headers", encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPExchange(status: status, headers: fields, body: (try? String(contentsOfFile: dir.path + "/body", encoding: .utf8)) ?? "")
    }

    /// The sum of `lore_http_requests_total` for POST /v1/query on replica `i` (with
    /// `status`, only that status); nil when the replica does not answer.
    func queries(replica i: Int, status: Int? = nil) -> Double? {
        guard let r = try? request("GET", "/metrics", base: replicaURL(i)), r.status == 200 else { return nil }
        var total = 0.0
        for line in r.body.split(separator: "\n") where line.hasPrefix("lore_http_requests_total{") {
            guard line.contains(#"route="/v1/query""#), line.contains(#"method="POST""#) else { continue }
            if let status, !line.contains(#"status="\#(status)""#) { continue }
            total += Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return total
    }

    /// The same, over every replica that answers.
    func queries(replicas: Int, status: Int? = nil) -> Double {
        (1...replicas).compactMap { queries(replica: $0, status: status) }.reduce(0, +)
    }

    /// The index version replica `i` serves (`X-Lore-Index-Version` of its /healthz).
    func version(replica i: Int) -> String? {
        (try? request("GET", "/healthz", base: replicaURL(i)))?.headers["x-lore-index-version"]
    }
}

/// wrk running against a URL in the background with bench/cluster.lua (POST bodies cycled),
/// until `finish()` interrupts it (SIGINT: wrk stops and reports) or `maxSeconds` pass.
final class LoadRun: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let dir = TemporaryDirectory("lore-cluster-load")
    private var collected = Data()
    private let reader = DispatchGroup()
    let connections: Int
    let started = Date()

    init(url: String, bodies: [String], connections: Int, maxSeconds: Int, timeout: Int = 30) throws {
        self.connections = connections
        let file = dir.write("bodies.jsonl", bodies.joined(separator: "\n") + "\n")
        // Through python, which unblocks every signal first: a Process started from a test's
        // thread inherits its blocked signals, and wrk must see the SIGINT that ends it.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            "/usr/bin/wrk", "-t1", "-c\(connections)", "-d\(maxSeconds)s", "--timeout", "\(timeout)s", "--latency",
            "-s", TestPaths.repositoryRoot + "/bench/cluster.lua", url, "--", file
        ]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        ChildWatchdog.watch(process.processIdentifier)
        reader.enter()
        DispatchQueue.global().async { [self] in
            collected = output.fileHandleForReading.readDataToEndOfFile()
            reader.leave()
        }
    }

    /// Stops wrk (if still running) and returns its summary.
    func finish() throws -> LoadSummary {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        reader.wait()
        let text = String(decoding: collected, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("CLUSTERLOAD ") }),
            let json = try JSONSerialization.jsonObject(with: Data(line.dropFirst("CLUSTERLOAD ".count).utf8)) as? [String: Any]
        else {
            throw ClusterFailure(description: "wrk printed no CLUSTERLOAD line:\n\(text)")
        }
        return LoadSummary(json, connections: connections)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// What one wrk run saw (bench/cluster.lua's CLUSTERLOAD line).
struct LoadSummary {
    let json: [String: Any]
    let connections: Int
    init(_ json: [String: Any], connections: Int) { self.json = json; self.connections = connections }

    private func counts(_ key: String) -> [String: Int] {
        ((json[key] as? [String: Any]) ?? [:]).compactMapValues { Self.number($0).map { Int($0) } }
    }
    /// A JSON number, however JSONSerialization handed it over.
    static func number(_ value: Any?) -> Double? {
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        return (value as? NSNumber)?.doubleValue
    }
    var requests: Int { Int(Self.number(json["requests"]) ?? 0) }
    var statuses: [String: Int] { counts("statuses") }
    var codes: [String: Int] { counts("codes") }
    var upstreams: [String: Int] { counts("upstreams") }
    var versions: [String: Int] { counts("versions") }
    var lastVersion: [String: String] { (json["last_version"] as? [String: String]) ?? [:] }
    var errors: [String: Int] { counts("errors") }
    /// Socket errors: no response at all (connect, read, write, timeout).
    var socketErrors: Int { ["connect", "read", "write", "timeout"].reduce(0) { $0 + (errors[$1] ?? 0) } }
    var non2xx: Int { statuses.filter { !$0.key.hasPrefix("2") }.values.reduce(0, +) }
    /// Requests that failed: a non-2xx status or no response.
    var failures: Int { non2xx + socketErrors }
    /// Statuses seen from `from` (epoch seconds, inclusive) on, and before it.
    func statuses(from: Int? = nil, before: Int? = nil) -> [String: Int] {
        var out: [String: Int] = [:]
        for (key, n) in counts("timeline") {
            let parts = key.split(separator: " ")
            guard parts.count == 2, let second = Int(parts[0]) else { continue }
            if let from, second < from { continue }
            if let before, second >= before { continue }
            out[String(parts[1]), default: 0] += n
        }
        return out
    }
    private func ms(_ key: String) -> Double {
        (Self.number((json["latency_us"] as? [String: Any])?[key]) ?? 0) / 1000
    }

    /// The one line the benchmarks page copies: `CLUSTERJSON {...}`.
    func report(_ name: String, extra: [String: Any] = [:]) -> String {
        var o: [String: Any] = [
            "case": name, "requests": requests, "failures": failures, "statuses": statuses,
            "p50_ms": (ms("p50") * 10).rounded() / 10, "p90_ms": (ms("p90") * 10).rounded() / 10, "p99_ms": (ms("p99") * 10).rounded() / 10,
            "socket_errors": socketErrors, "connections": connections,
            "duration_s": (((Self.number(json["duration_us"]) ?? 0) / 1e5).rounded() / 10)
        ]
        if !codes.isEmpty { o["codes"] = codes }
        for (k, v) in extra { o[k] = v }
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data()
        return "CLUSTERJSON " + String(decoding: data, as: UTF8.self)
    }
}
