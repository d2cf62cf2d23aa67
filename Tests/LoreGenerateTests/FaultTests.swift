import Foundation
import LoreCore
import LoreGenerate
import LoreTestSupport
import Testing

/// The client against faults a real server cannot be made to produce on demand
/// (Tests/Fixtures/http/fault_llm.py). Each fault must end cleanly: no crash, no hang, an
/// outcome bounded by the configured limits.
@Suite("OpenAI-compatible generator under faults")
struct FaultTests {
    static let hello = "Hello, wörld — done."

    /// Upper bounds on elapsed time say "no hang", not "fast": the whole suite runs in
    /// parallel on 2 cores, where a test can wait seconds for a thread. Lower bounds show a
    /// limit really was waited for.
    static let noHang = 30.0

    func generator(
        _ url: String, name: String = "faulty", retries: Int = 0, firstToken: Duration = .seconds(10),
        request: Duration = .seconds(10), apiKeyEnv: String? = nil, environment: [String: String] = [:]
    ) throws -> OpenAICompatibleGenerator {
        try OpenAICompatibleGenerator(
            OpenAIGeneratorConfiguration(
                name: name, baseURL: url, model: "fault-model", apiKeyEnvironmentVariable: apiKeyEnv,
                connectTimeout: .seconds(5), firstTokenTimeout: firstToken, requestTimeout: request,
                maxRetries: retries, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(100)),
            environment: environment)
    }

    // MARK: Well-formed streams

    @Test("events split across reads (even inside a UTF-8 character), CRLF line ends and comments reassemble exactly")
    func splitEventsReassemble() async throws {
        let (url, _) = try FaultServer.url("ok")
        let out = try await generator(url).collect(ask("hi"))
        #expect(out.deltas == ["Hello", ", wö", "rld", " — ", "done."])
        let s = try #require(out.summary)
        #expect(s.finishReason == .stop)
        #expect(s.usage == TokenUsage(promptTokens: 11, completionTokens: 7, estimated: false))
        #expect(s.backend == "faulty" && s.model == "fault-model")
    }

    @Test("finish_reason length maps to .length", arguments: [true, false])
    func lengthMaps(stream: Bool) async throws {
        let (url, _) = try FaultServer.url("length")
        let out = try await generator(url).collect(ask("hi", stream: stream))
        #expect(out.text == Self.hello)
        #expect(out.summary?.finishReason == .length)
    }

    @Test("without usage from the server, tokens are estimated at one per four UTF-8 bytes", arguments: [true, false])
    func usageEstimated(stream: Bool) async throws {
        let (url, _) = try FaultServer.url("no-usage")
        let request = GenerationRequest(
            messages: [ChatMessage(.system, "Be brief."), ChatMessage(.user, "Say hello to the world.")], stream: stream)
        let out = try await generator(url).collect(request)
        let usage = try #require(out.summary?.usage)
        #expect(usage.estimated)
        #expect(usage.promptTokens == 3 + 6)  // 9 bytes → 3, 23 bytes → 6
        #expect(usage.completionTokens == (Self.hello.utf8.count + 3) / 4)
    }

    @Test("the request carries the model, the messages, the sampling settings, stream_options and the bearer key")
    func requestContents() async throws {
        let (url, key) = try FaultServer.url("ok")
        let g = try generator(url, apiKeyEnv: "LORE_TEST_LLM_KEY", environment: ["LORE_TEST_LLM_KEY": "sk-test-123"])
        _ = try await g.collect(ask("hi", maxTokens: 17, stop: ["\n\n", "END"], temperature: 0.25))
        let seen = try await FaultServer.stats(key)
        #expect(seen.authorization == "Bearer sk-test-123")
        let body = try #require(seen.last)
        #expect(body["model"] == .string("fault-model"))
        #expect(body["stream"] == .bool(true))
        #expect(body["stream_options"] == .object(["include_usage": .bool(true)]))
        #expect(body["temperature"] == .number(0.25))
        #expect(body["max_tokens"] == .number(17))
        #expect(body["stop"] == .array([.string("\n\n"), .string("END")]))
        #expect(body["messages"] == .array([.object(["role": .string("user"), "content": .string("hi")])]))
    }

    @Test("a missing API key variable is an error at construction, naming the variable")
    func missingAPIKey() throws {
        #expect {
            _ = try generator("http://127.0.0.1:1", apiKeyEnv: "LORE_TEST_NO_SUCH_KEY", environment: [:])
        } throws: { error in
            let e = error as? GenerationError
            return e?.kind == .invalidRequest && e?.message.contains("LORE_TEST_NO_SUCH_KEY") == true
        }
    }

    // MARK: Failures before any text

    @Test("a backend refusing connections gives a clear .connect error naming it, at once")
    func connectionRefused() async throws {
        let g = try generator("http://127.0.0.1:\(ServerProcess.refusingPort())/v1/", name: "nobody-home")
        let f = await g.failure(ask("hi"))
        let e = try #require(f.error, "expected a GenerationError, got \(String(describing: f.other))")
        #expect(e.kind == .connect)
        #expect(e.backend == "nobody-home")
        #expect("\(e)".contains("nobody-home") && e.message.contains("refused"), "\(e)")
        #expect(f.before.deltas.isEmpty)
        #expect(f.seconds < Self.noHang)
    }

    @Test("a backend that accepts but never answers times out at the first-token limit", arguments: ["hang", "stall"])
    func neverAnswers(mode: String) async throws {
        let (url, key) = try FaultServer.url(mode)
        let f = try await generator(url, firstToken: .seconds(1)).failure(ask("hi"))
        let e = try #require(f.error, "expected a GenerationError, got \(String(describing: f.other))")
        #expect(e.kind == .timeout)
        #expect(f.seconds >= 0.9 && f.seconds < Self.noHang, "took \(f.seconds) s")
        #expect(f.before.deltas.isEmpty)
        #expect(try await FaultServer.stats(key).requests == 1)
    }

    @Test("a non-streamed request that never gets its answer times out at the request limit")
    func nonStreamedNeverAnswers() async throws {
        let (url, _) = try FaultServer.url("hang")
        let f = try await generator(url, firstToken: .milliseconds(200), request: .seconds(1)).failure(ask("hi", stream: false))
        #expect(f.error?.kind == .timeout)
        #expect(f.seconds >= 0.9 && f.seconds < Self.noHang, "took \(f.seconds) s")
    }

    @Test("HTTP 500 gives .status with the server's message, after the configured retries")
    func serverError() async throws {
        let (url, key) = try FaultServer.url("status-500")
        let f = try await generator(url, retries: 2).failure(ask("hi"))
        let e = try #require(f.error)
        #expect(e.kind == .status && e.status == 500)
        #expect(e.message.contains("injected failure 500"), "\(e)")
        #expect(e.isRetryable)
        #expect(try await FaultServer.stats(key).requests == 3)
    }

    @Test("HTTP 400 is not retried")
    func clientErrorNotRetried() async throws {
        let (url, key) = try FaultServer.url("status-400")
        let f = try await generator(url, retries: 3).failure(ask("hi"))
        #expect(f.error?.kind == .status && f.error?.status == 400)
        #expect(f.error?.isRetryable == false)
        #expect(try await FaultServer.stats(key).requests == 1)
    }

    @Test("failures before the first token are retried: two 503s, then the answer")
    func retriedBeforeFirstToken() async throws {
        let (url, key) = try FaultServer.url("fail-first-2")
        let out = try await generator(url, retries: 2).collect(ask("hi"))
        #expect(out.text == Self.hello)
        #expect(try await FaultServer.stats(key).requests == 3)
    }

    @Test("malformed JSON before any text gives .malformed", arguments: [true, false])
    func malformedJSON(stream: Bool) async throws {
        let (url, key) = try FaultServer.url("malformed")
        let f = try await generator(url, retries: 2).failure(ask("hi", stream: stream))
        #expect(f.error?.kind == .malformed, "\(String(describing: f.error)) \(String(describing: f.other))")
        #expect(f.before.deltas.isEmpty)
        #expect(try await FaultServer.stats(key).requests == 1, "malformed answers are not retried")
    }

    @Test("a line that is not SSE before any text gives .malformed")
    func garbageBeforeText() async throws {
        let (url, _) = try FaultServer.url("garbage-first")
        let f = try await generator(url).failure(ask("hi"))
        #expect(f.error?.kind == .malformed)
        #expect(f.error?.message.contains("not server-sent events") == true, "\(String(describing: f.error))")
    }

    @Test("an error object in the stream before any text gives .status with its message")
    func errorEventBeforeText() async throws {
        let (url, _) = try FaultServer.url("error-first")
        let f = try await generator(url).failure(ask("hi"))
        #expect(f.error?.kind == .status && f.error?.status == 503)
        #expect(f.error?.message.contains("injected stream error") == true)
    }

    // MARK: Failures after text: .incomplete, never an error, never a retry

    @Test("a backend dying mid-stream ends .incomplete with the partial text, and is not retried")
    func diesMidStream() async throws {
        let (url, key) = try FaultServer.url("die-after")
        let out = try await generator(url, retries: 3).collect(ask("hi"))
        // The server sent three deltas before the cut. Bytes that reached the socket but not
        // yet the reader when the close arrives are dropped by AsyncHTTPClient (the request
        // fails with its buffered body parts), so the last delta may be lost: what Lore must
        // do is hand on, in order, every delta it did receive and count exactly that text.
        let sent = ["Hello", ", wö", "rld"]
        #expect(!out.deltas.isEmpty && out.deltas == Array(sent.prefix(out.deltas.count)), "\(out.deltas)")
        let s = try #require(out.summary)
        #expect(s.finishReason == .incomplete)
        #expect(s.problem?.isEmpty == false)
        #expect(s.usage.estimated && s.usage.completionTokens == (out.text.utf8.count + 3) / 4)
        #expect(try await FaultServer.stats(key).requests == 1)
    }

    @Test("a line that is not SSE after text ends .incomplete", arguments: ["garbage-after", "error-after"])
    func brokenAfterText(mode: String) async throws {
        let (url, key) = try FaultServer.url(mode)
        let out = try await generator(url, retries: 3).collect(ask("hi"))
        #expect(out.text == "Hello, wö")
        #expect(out.summary?.finishReason == .incomplete)
        #expect(out.summary?.problem?.isEmpty == false)
        #expect(try await FaultServer.stats(key).requests == 1)
    }

    @Test("a stream that outlives the request limit ends .incomplete at the limit")
    func requestTimeoutAfterText() async throws {
        let (url, _) = try FaultServer.url("slow")
        let start = ContinuousClock.now
        let out = try await generator(url, request: .milliseconds(1500)).collect(ask("hi"))
        let took = (ContinuousClock.now - start).inSeconds
        #expect(out.deltas.count >= 3)
        #expect(out.summary?.finishReason == .incomplete)
        #expect(out.summary?.problem?.contains("request timeout") == true, "\(String(describing: out.summary?.problem))")
        #expect(took >= 1.4 && took < Self.noHang, "took \(took) s")
    }

    @Test("cancelling the consumer closes the connection to the server")
    func cancellationClosesConnection() async throws {
        let (url, key) = try FaultServer.url("slow")
        let g = try generator(url)
        let consumer = Task {
            var deltas = 0
            for try await event in g.generate(ask("hi")) {
                if case .delta = event { deltas += 1 }
                if deltas == 2 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return deltas
        }
        _ = await consumer.result
        // The server notices the closed connection at its next write (every 0.2 s).
        let deadline = ContinuousClock.now + .seconds(5)
        var disconnects = 0
        while ContinuousClock.now < deadline {
            disconnects = try await FaultServer.stats(key).disconnects
            if disconnects > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(disconnects == 1)
    }
}
