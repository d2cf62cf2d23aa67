import AsyncHTTPClient
import Foundation
import Logging
import LoreCore

/// A `Generator` backed by an OpenAI-compatible `/v1/chat/completions` server (vLLM, TGI,
/// SGLang, Ollama, llama.cpp's server, llama-cpp-python, OpenAI).
///
/// Streamed requests read server-sent events as they arrive; non-streamed ones read one
/// JSON answer and yield its text as one delta. Failures before the first text delta throw
/// a `GenerationError` (after up to `maxRetries` further attempts, with a short jittered
/// backoff, for connection failures, timeouts, 429 and 5xx); once text has gone out there
/// are no retries, and a broken stream ends with `.finished` and `.incomplete`.
/// Cancelling the consuming task (or dropping the stream) cancels the HTTP request.
public final class OpenAICompatibleGenerator: Generator {
    public let configuration: OpenAIGeneratorConfiguration
    public var name: String { configuration.name }
    let client: HTTPClient
    let apiKey: String?
    let logger: Logger

    /// Checks the configuration and reads the API key from the environment variable it
    /// names; a variable that is not set (or empty) is an error here, not at first use.
    /// - Parameters:
    ///   - environment: where the API key is looked up (the process environment by default).
    ///   - client: the HTTP client; by default one shared per connect timeout.
    public init(
        _ configuration: OpenAIGeneratorConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
        client: HTTPClient? = nil, logger: Logger = Logger(label: "lore.generate")
    ) throws(GenerationError) {
        try configuration.validate()
        if let variable = configuration.apiKeyEnvironmentVariable, !variable.isEmpty {
            guard let key = environment[variable], !key.isEmpty else {
                throw GenerationError(
                    .invalidRequest, backend: configuration.name,
                    "the environment variable \(variable) (api_key_env) holding the API key for \(configuration.endpoint) is not set")
            }
            apiKey = key
        } else {
            apiKey = nil
        }
        self.configuration = configuration
        self.client = client ?? GenerationHTTPClients.client(connectTimeout: configuration.connectTimeout)
        self.logger = logger
    }

    public func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self, throwing: (any Error).self)
        // The producer is unstructured by necessity (the stream outlives this call); it is
        // tied to the consumer: ending or dropping the stream cancels it, and the HTTP
        // request with it.
        let producer = Task { await self.run(request, continuation) }
        continuation.onTermination = { _ in producer.cancel() }
        return stream
    }

    // MARK: Attempts and retries

    private func run(_ request: GenerationRequest, _ continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) async {
        let started = ContinuousClock.now
        let deadline = started + configuration.requestTimeout
        var meta: Logger.Metadata = ["backend": "\(name)", "request_id": "\(request.requestID)", "stream": "\(request.stream)"]
        guard !request.messages.isEmpty else {
            let error = GenerationError(.invalidRequest, backend: name, "the request has no messages")
            logger.error("generation rejected", metadata: meta.merging(["error": "\(error.message)"]) { $1 })
            continuation.finish(throwing: error)
            return
        }
        let body = ChatCompletionPayload.requestBody(model: configuration.model, request)
        logger.debug(
            "generation request",
            metadata: meta.merging(["endpoint": "\(configuration.endpoint)", "model": "\(configuration.model)"]) { $1 })
        var attempt = 0
        while true {
            let outcome = await self.attempt(body, request, started: started, deadline: deadline, continuation)
            meta["attempts"] = "\(attempt + 1)"
            switch outcome {
            case .finished(let summary):
                continuation.yield(.finished(summary))
                continuation.finish()
                log(summary, started: started, meta)
                return
            case .cancelled:
                logger.debug("generation cancelled", metadata: meta)
                continuation.finish(throwing: CancellationError())
                return
            case .failed(let error):
                let backoff = self.backoff(attempt)
                if error.isRetryable, attempt < configuration.maxRetries, ContinuousClock.now + backoff < deadline, !Task.isCancelled {
                    logger.warning(
                        "generation attempt failed; retrying",
                        metadata: meta.merging([
                            "kind": "\(error.kind.rawValue)", "error": "\(error.message)", "delay_ms": "\(Int(backoff.seconds * 1000))"
                        ]) { $1 })
                    do { try await Task.sleep(for: backoff) } catch {
                        continuation.finish(throwing: CancellationError())
                        return
                    }
                    attempt += 1
                    continue
                }
                logger.error(
                    "generation failed", metadata: meta.merging(["kind": "\(error.kind.rawValue)", "error": "\(error.message)"]) { $1 })
                continuation.finish(throwing: error)
                return
            }
        }
    }

    /// Full jitter: a random wait up to initial · 2^attempt, capped.
    private func backoff(_ attempt: Int) -> Duration {
        let cap = min(configuration.maxBackoff, configuration.initialBackoff * (1 << min(attempt, 20)))
        return .milliseconds(Int64(Double.random(in: 0...max(cap.seconds * 1000, 1))))
    }

    /// One attempt: the HTTP exchange, raced against its watchdog.
    private func attempt(
        _ body: String, _ request: GenerationRequest, started: ContinuousClock.Instant, deadline: ContinuousClock.Instant,
        _ continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    ) async -> AttemptOutcome {
        let gate = AttemptGate()
        // A non-streamed answer's first text is the whole answer: only the overall limit applies.
        let firstTokenDeadline = request.stream ? min(ContinuousClock.now + configuration.firstTokenTimeout, deadline) : deadline
        return await withTaskGroup(of: AttemptOutcome?.self, returning: AttemptOutcome.self) { group in
            group.addTask {
                await self.exchange(body, request, gate: gate, started: started, deadline: deadline, continuation)
            }
            group.addTask {
                // The watchdog: stops the exchange at the first-token limit (unless text has
                // gone out), and at the overall limit.
                do { try await Task.sleep(until: firstTokenDeadline, clock: .continuous) } catch { return nil }
                if !gate.expireFirstToken() {
                    do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return nil }
                    gate.expireRequest()
                }
                return nil
            }
            while let result = await group.next() {
                group.cancelAll()
                if let outcome = result { return outcome }
            }
            return .cancelled
        }
    }

    private func log(_ summary: GenerationSummary, started: ContinuousClock.Instant, _ meta: Logger.Metadata) {
        var m = meta
        m["finish"] = "\(summary.finishReason.rawValue)"
        m["duration_ms"] = "\(Int((ContinuousClock.now - started).seconds * 1000))"
        if let ttft = summary.timeToFirstToken { m["ttft_ms"] = "\(Int(ttft * 1000))" }
        m["prompt_tokens"] = "\(summary.usage.promptTokens)"
        m["completion_tokens"] = "\(summary.usage.completionTokens)"
        m["usage_estimated"] = "\(summary.usage.estimated)"
        if let problem = summary.problem {
            m["problem"] = "\(problem)"
            logger.warning("generation incomplete", metadata: m)
        } else {
            logger.info("generation finished", metadata: m)
        }
    }
}

/// How one attempt ended.
enum AttemptOutcome: Sendable {
    /// Text (possibly none) went out; this summary ends the stream.
    case finished(GenerationSummary)
    /// Nothing went out.
    case failed(GenerationError)
    /// The consumer went away.
    case cancelled
}
