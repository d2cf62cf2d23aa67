import Foundation
import LoreTestSupport
import Testing

/// A server whose generation backend is the fault-injecting LLM server streaming slowly
/// (`slow-N`: N deltas 0.2 s apart): readiness, the configured limits, graceful shutdown.
@Suite("lore serve: LLM backend, readiness, limits and graceful shutdown", .serialized)
struct SlowBackendTests {
    static func config(_ dir: TemporaryDirectory, baseURL: String, server: String = "") -> String {
        dir.write(
            "lore.yaml",
            server + """
                generation:
                  backend: slow
                  backends:
                    - name: slow
                      base_url: \(baseURL)
                      model: fault
                      max_retries: 0
                """)
    }

    static func faultLLM() throws -> ServerProcess {
        try ServerProcess("/usr/bin/env", ["python3", TestPaths.repositoryRoot + "/Tests/Fixtures/http/fault_llm.py"])
    }

    @Test("readyz is 503, naming the generation backend, when the configured LLM does not answer")
    func unreachableBackend() async throws {
        let dir = TemporaryDirectory("lore-serve-ready")
        let server = try await LoreServe(["--config", Self.config(dir, baseURL: "http://127.0.0.1:\(ServerProcess.refusingPort())")])
        let r = try await server.get("/readyz")
        #expect(r.status == 503, "\(r.body)")
        let checks = try #require(r.json?["checks"] as? [[String: Any]])
        let generation = try #require(checks.first { $0["name"] as? String == "generation" })
        #expect(generation["ok"] as? Bool == false && (generation["problem"] as? String)?.isEmpty == false, "\(generation)")
        #expect(try await server.get("/healthz").status == 200)
    }

    @Test("server.request_timeout_s and server.max_body_bytes: an answer that does not come in time gets 504, a larger body 413")
    func configuredLimits() async throws {
        let llm = try Self.faultLLM()
        let dir = TemporaryDirectory("lore-serve-limits")
        let config = Self.config(
            dir, baseURL: "http://127.0.0.1:\(llm.ready)/limits/hang",
            server: "server:\n  request_timeout_s: 5\n  max_body_bytes: 200\n")
        let server = try await LoreServe(["--config", config], database: try await ServeCorpus.database())
        let slow = try await server.post("/v1/query", #"{"question": "What does WAL mode let readers do?"}"#)
        #expect(slow.status == 504, "\(slow.body)")
        #expect(slow.error?.code == "timeout")
        let big = try await server.post("/v1/retrieve", #"{"question": "\#(String(repeating: "wal ", count: 60))"}"#)
        #expect(big.status == 413, "\(big.body)")
        #expect(big.error?.code == "payload_too_large")
        #expect(try await server.get("/healthz").status == 200)
        // The server still answers after a timeout. (With a 1 s limit this retrieval took
        // longer than 1 s on a loaded CI machine and got 504 itself: 5 s leaves room.)
        let ok = try await server.post("/v1/retrieve", #"{"question": "What does WAL mode let readers do?"}"#)
        #expect(ok.status == 200, "\(ok.body)")
    }

    @Test("SIGTERM during a streaming answer: new connections are refused, the stream completes, the server exits 0")
    func gracefulShutdown() async throws {
        let llm = try Self.faultLLM()
        let dir = TemporaryDirectory("lore-serve-shutdown")
        let server = try LoreServeProcess(
            ["--config", Self.config(dir, baseURL: "http://127.0.0.1:\(llm.ready)/shutdown/slow-40")],
            database: try await ServeCorpus.database())
        #expect(try await server.get("/readyz").status == 200)

        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = [
            "-N", "-s", "--max-time", "60", "-X", "POST", "-H", "Content-Type: application/json",
            "-d", #"{"question": "What does WAL mode let readers do?", "stream": true}"#, server.url + "/v1/query"
        ]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        ChildWatchdog.watch(curl.processIdentifier)
        var received = Data()
        // The first delta has arrived: the answer is being streamed.
        while !String(decoding: received, as: UTF8.self).contains("event: delta") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        #expect(String(decoding: received, as: UTF8.self).contains("event: delta"), "\(String(decoding: received, as: UTF8.self))")
        kill(server.pid, SIGTERM)

        // New connections are refused (curl exit 7) while the stream goes on.
        var refused = false
        let deadline = Date().addingTimeInterval(3)
        while !refused, Date() < deadline {
            refused = try await runProcess("/usr/bin/curl", ["-s", "--max-time", "1", server.url + "/healthz"]).status == 7
        }
        #expect(refused, "a new connection was still accepted after SIGTERM")
        #expect(curl.isRunning, "the stream ended before the refusal was seen")

        received.append(out.fileHandleForReading.readDataToEndOfFile())
        while curl.isRunning { usleep(10_000) }
        let events = parseEvents(String(decoding: received, as: UTF8.self))
        #expect(events.last?.event == "done", "\(events.map(\.event))")
        #expect(events.filter { $0.event == "delta" }.count >= 10)
        #expect(curl.terminationStatus == 0)

        let exitDeadline = Date().addingTimeInterval(20)
        while server.process.process.isRunning, Date() < exitDeadline { usleep(20_000) }
        #expect(!server.process.process.isRunning)
        #expect(server.process.process.terminationStatus == 0)
    }
}
