import Foundation
import LoreCore
import LoreGenerate
import LoreTestSupport
import Testing

/// The chat-completions client against a real LLM server on loopback: llama-cpp-python
/// serving SmolLM2-135M-Instruct (scripts/llm-server), greedy decoding (temperature 0).
@Suite("OpenAI-compatible generator against a real llama.cpp server")
struct RealServerTests {
    func generator(_ url: String, name: String = "local-llama") throws -> OpenAICompatibleGenerator {
        // Generous limits: the server computes one request at a time, and tests run in parallel.
        try OpenAICompatibleGenerator(
            OpenAIGeneratorConfiguration(
                name: name, baseURL: url, model: LLMServer.model, connectTimeout: .seconds(2), firstTokenTimeout: .seconds(120),
                requestTimeout: .seconds(300), maxRetries: 0))
    }

    @Test("a streamed answer arrives as several deltas, then one summary with usage and the time to first token")
    func streamedAnswer() async throws {
        let g = try generator(try LLMServer.url())
        let out = try await g.collect(ask("What is the capital of France? Answer in one sentence.", maxTokens: 40))
        #expect(out.deltas.count >= 3, "deltas: \(out.deltas)")
        #expect(!out.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let s = try #require(out.summary)
        #expect(s.backend == "local-llama")
        #expect(s.model == "smollm2")
        #expect(s.finishReason == .stop || s.finishReason == .length)
        #expect(s.problem == nil)
        #expect(s.usage.promptTokens > 0 && s.usage.completionTokens > 0)
        // llama-cpp-python 0.3.36 ignores stream_options.include_usage: the usage of a stream is Lore's estimate.
        #expect(s.usage.estimated)
        #expect(s.usage.completionTokens == (out.text.utf8.count + 3) / 4)
        let ttft = try #require(s.timeToFirstToken)
        #expect(ttft > 0 && ttft < 120)
    }

    @Test("a non-streamed answer is yielded as one delta, with the server's usage (not estimated)")
    func nonStreamedAnswer() async throws {
        let g = try generator(try LLMServer.url())
        let out = try await g.collect(ask("Name three colours.", maxTokens: 30, stream: false))
        #expect(out.deltas.count == 1)
        let s = try #require(out.summary)
        #expect(s.finishReason == .stop || s.finishReason == .length)
        #expect(!s.usage.estimated)
        #expect(s.usage.promptTokens > 5)
        #expect(s.usage.completionTokens > 0 && s.usage.completionTokens <= 30)
    }

    @Test("max_tokens is honoured: the answer stops at the limit with .length", arguments: [true, false])
    func maxTokensHonoured(stream: Bool) async throws {
        let g = try generator(try LLMServer.url())
        let out = try await g.collect(ask("Write a long story about a dragon who learns to sail.", maxTokens: 6, stream: stream))
        let s = try #require(out.summary)
        #expect(s.finishReason == .length)
        if !stream { #expect(s.usage.completionTokens == 6 && !s.usage.estimated) }
        #expect(!out.text.isEmpty)
        #expect(out.text.utf8.count < 80, "six tokens, got \(out.text.debugDescription)")
    }

    @Test("a stop sequence is honoured: the text ends before it, with .stop", arguments: [true, false])
    func stopSequenceHonoured(stream: Bool) async throws {
        let g = try generator(try LLMServer.url())
        let question = "Count from 1 to 10, one number per line."
        let free = try await g.collect(ask(question, maxTokens: 60, stream: stream))
        try #require(
            free.text.contains("5"), "the unconstrained answer must reach 5 for this test to mean anything: \(free.text.debugDescription)")
        let stopped = try await g.collect(ask(question, maxTokens: 60, stop: ["5"], stream: stream))
        #expect(!stopped.text.contains("5"), "\(stopped.text.debugDescription)")
        #expect(free.text.hasPrefix(stopped.text), "greedy decoding: the stopped text is a prefix of the free one")
        #expect(stopped.text.count < free.text.count)
        #expect(stopped.summary?.finishReason == .stop)
    }

    @Test("the pool fails over from a backend that refuses connections to the real one")
    func poolFailsOverToRealServer() async throws {
        let dead = try generator("http://127.0.0.1:\(ServerProcess.refusingPort())", name: "dead")
        let live = try generator(try LLMServer.url(), name: "live")
        let pool = BackendPool(backends: [dead, live])
        var answered = 0
        for _ in 0..<2 {  // round-robin would send one of the two to `dead` first at least once
            let out = try await pool.collect(ask("Say hello.", maxTokens: 8))
            #expect(out.summary?.backend == "live")
            #expect(!out.text.isEmpty)
            answered += 1
        }
        let stats = pool.stats()
        #expect(answered == 2)
        #expect(stats[0].name == "dead" && stats[0].failures >= 1 && stats[0].lastError?.contains("refused") == true)
        #expect(stats[1].requests == 2 && stats[1].failures == 0)
        #expect(stats.allSatisfy { $0.outstanding == 0 })
    }

    @Test("cancelling the consumer mid-stream ends the generation; the server then answers the next request")
    func cancellationMidStream() async throws {
        let g = try generator(try LLMServer.url())
        let consumer = Task {
            var deltas = 0
            for try await event in g.generate(ask("Write a very long story about the sea.", maxTokens: 400)) {
                if case .delta = event { deltas += 1 }
                if deltas == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return deltas
        }
        let result = await consumer.result
        // The stream ends by throwing CancellationError (or just ends) soon after the cancel.
        if case .success(let deltas) = result { #expect(deltas < 400) }
        let next = try await g.collect(ask("Say yes.", maxTokens: 4))
        #expect(next.summary != nil)
    }
}
