import Foundation
import LoreTestSupport
import Testing

/// Chat completions over LLM backends: the fault-injecting LLM server
/// (`Tests/Fixtures/http/fault_llm.py`) behind four configured backends, each a model
/// (`lore-slow`: 24 deltas `tick ` 0.2 s apart; `lore-ok`; `lore-length`; `lore-broken`: an error
/// before any text).
@Suite("lore serve: OpenAI-compatible chat completions over LLM backends", .serialized)
final class OpenAIBackendTests {
    let llm: ServerProcess
    let server: LoreServe
    let key = "openai-\(UUID().uuidString.prefix(8))"
    let dir = TemporaryDirectory("lore-serve-openai")

    init() async throws {
        llm = try SlowBackendTests.faultLLM()
        let base = "http://127.0.0.1:\(llm.ready)/\(key)"
        var yaml = "generation:\n  backend: slow\n  backends:\n"
        for (name, mode) in [("slow", "slow-24"), ("ok", "ok"), ("length", "length"), ("broken", "error-first")] {
            yaml += "    - name: \(name)\n      base_url: \(base)/\(mode)\n      model: fault\n      max_retries: 0\n"
        }
        server = try await LoreServe(["--config", dir.write("lore.yaml", yaml)], database: try await ServeCorpus.database())
    }

    static let question = "What does WAL mode let readers do?"

    static func body(_ model: String, stream: Bool, extra: String = "") -> String {
        #"{"model": "\#(model)", "stream": \#(stream), "messages": [{"role": "system", "content": "You are a pirate."}, {"role": "user", "content": "\#(question)"}]\#(extra)}"#
    }

    /// The data lines of a streamed chat completion, each with the time it arrived.
    func streamLines(_ body: String) async throws -> [(data: String, at: Date)] {
        let url = server.url + "/v1/chat/completions"
        return try await offPool { try Self.readStream(body, url: url) }
    }

    /// Reads the stream with `curl -N` (blocking: run it off the cooperative pool).
    static func readStream(_ body: String, url: String) throws -> [(data: String, at: Date)] {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = [
            "-N", "-s", "--max-time", "60", "-X", "POST", "-H", "Content-Type: application/json", "-d", body, url
        ]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        ChildWatchdog.watch(curl.processIdentifier)
        var lines: [(String, Date)] = []
        var pending = ""
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            let now = Date()
            pending += String(decoding: chunk, as: UTF8.self)
            while let end = pending.range(of: "\n\n") {
                let event = String(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                if event.hasPrefix("data: ") { lines.append((String(event.dropFirst(6)), now)) }
            }
        }
        while curl.isRunning { usleep(10_000) }
        guard curl.terminationStatus == 0 else {
            throw CurlFailure(
                description: "curl -N \(url) exited \(curl.terminationStatus) after \(lines.count) data lines; pending: \(pending)")
        }
        return lines
    }

    static func json(_ s: String) -> [String: Any]? { try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any] }
    static func delta(_ o: [String: Any]) -> [String: Any]? { ((o["choices"] as? [[String: Any]])?.first)?["delta"] as? [String: Any] }

    @Test("a stream from a multi-delta backend arrives chunk by chunk, as the backend produces it, then the citations and [DONE]")
    func incremental() async throws {
        let lines = try await streamLines(Self.body("lore-slow", stream: true))
        #expect(lines.last?.data == "[DONE]", "\(lines.map(\.data))")
        let chunks = lines.dropLast().map { (json: Self.json($0.data), at: $0.at) }
        #expect(chunks.allSatisfy { $0.json != nil }, "\(lines.map(\.data))")
        let content = chunks.filter { (Self.delta($0.json ?? [:])?["content"] as? String)?.contains("tick") == true }
        // The output guard holds back the last 64 bytes (13 ticks) until it has seen what
        // follows; from then on each tick goes out as it comes, 0.2 s apart.
        #expect(content.count >= 8, "\(lines.map(\.data))")
        if let first = content.first, let last = content.last {
            #expect(last.at.timeIntervalSince(first.at) >= 1.0, "all content arrived at once: not streamed")
        }
        let final = try #require(chunks.last?.json)
        #expect(((final["choices"] as? [[String: Any]])?.first?["finish_reason"]) as? String == "stop", "\(final)")
        let lore = try #require(final["lore"] as? [String: Any])
        let citations = try #require(lore["citations"] as? [[String: Any]])
        #expect(!citations.isEmpty && citations.allSatisfy { $0["source"] is String && $0["n"] is Int })
        #expect(lore["backend"] as? String == "slow")
        #expect(final["model"] as? String == "lore-slow")
    }

    @Test("temperature, max_tokens and stop reach the backend, overriding the template's; system messages do not")
    func parametersForwarded() async throws {
        let r = try await server.post(
            "/v1/chat/completions",
            Self.body(
                "lore-ok", stream: false,
                extra: #", "temperature": 0.3, "max_tokens": 7, "stop": ["zz"], "seed": 4, "top_p": 0.5"#))
        #expect(r.status == 200, "\(r.body)")
        let message = ((r.json?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
        #expect(message?.hasPrefix("Hello, wörld — done.") == true, "\(r.body)")
        #expect(r.json?["usage"] as? [String: Int] == ["prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18])
        let sent = try #require(try Self.stats(llm, key)["last"] as? [String: Any])
        #expect(sent["temperature"] as? Double == 0.3, "\(sent)")
        #expect(sent["max_tokens"] as? Int == 7, "\(sent)")
        #expect(sent["stop"] as? [String] == ["zz"], "\(sent)")
        let contents = (sent["messages"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
        #expect(!contents.isEmpty && !contents.contains { $0.contains("pirate") }, "\(contents)")
    }

    @Test("a backend that stops at its token limit gives finish_reason length")
    func length() async throws {
        let r = try await server.post("/v1/chat/completions", Self.body("lore-length", stream: false))
        #expect(r.status == 200, "\(r.body)")
        #expect(((r.json?["choices"] as? [[String: Any]])?.first?["finish_reason"]) as? String == "length", "\(r.body)")
        #expect((r.json?["lore"] as? [String: Any])?["finish_reason"] as? String == "length")
    }

    @Test("a backend failure after the stream started is a data: {error} line, then [DONE]; before it, a 502 in the error shape")
    func backendFailure() async throws {
        let lines = try await streamLines(Self.body("lore-broken", stream: true))
        #expect(lines.last?.data == "[DONE]", "\(lines.map(\.data))")
        let error = try #require(lines.dropLast().last.flatMap { Self.json($0.data) }?["error"] as? [String: Any], "\(lines.map(\.data))")
        #expect(error["code"] as? String == "backend_failed" && (error["message"] as? String)?.isEmpty == false, "\(error)")
        let whole = try await server.post("/v1/chat/completions", Self.body("lore-broken", stream: false))
        #expect(whole.status == 502, "\(whole.body)")
        #expect(whole.error?.code == "backend_failed")
        #expect(try await server.get("/healthz").status == 200)
    }

    /// The fault server's record of `key`'s requests.
    static func stats(_ llm: ServerProcess, _ key: String) throws -> [String: Any] {
        let r = try LoreTestSupport.runProcess("/usr/bin/curl", ["-s", "http://127.0.0.1:\(llm.ready)/_stats/\(key)"])
        return try #require(json(r.stdout), "\(r.stdout)")
    }
}
