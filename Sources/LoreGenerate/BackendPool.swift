import Logging
import LoreCore
import Synchronization

/// Several generation backends behind one `Generator`.
///
/// Each request goes to the backend with the fewest requests in flight (ties go round-robin).
/// When that backend fails with a retryable error before its first token, the request
/// fails over to the next backend; once text has gone out it stays where it is. Each backend
/// has a circuit breaker: after `failureThreshold` consecutive failures it gets no requests
/// for `cooldown`, then one probe request, whose success closes the circuit again. When no
/// backend can take a request, the pool throws `.unavailable` naming each backend's last
/// error. A non-retryable error (a 4xx, a malformed answer) is returned as it is.
public final class BackendPool: Generator {
    public let name: String
    public let backends: [any Generator]
    public let policy: CircuitBreakerPolicy
    let now: @Sendable () -> ContinuousClock.Instant
    let logger: Logger
    let state: Mutex<PoolState>

    /// - Parameters:
    ///   - now: the clock the circuit breakers read (injectable for tests).
    public init(
        name: String = "pool", backends: [any Generator], policy: CircuitBreakerPolicy = .init(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        logger: Logger = Logger(label: "lore.generate")
    ) {
        self.name = name
        self.backends = backends
        self.policy = policy
        self.now = now
        self.logger = logger
        self.state = Mutex(PoolState(count: backends.count))
    }

    /// Each backend's counters and circuit, in configuration order.
    public func stats() -> [BackendStats] {
        let t = now()
        return state.withLock { s in
            backends.indices.map { i in
                let b = s.backends[i]
                return BackendStats(
                    name: backends[i].name, outstanding: b.outstanding, requests: b.requests, failures: b.failures,
                    consecutiveFailures: b.breaker.consecutiveFailures, circuit: b.breaker.state(at: t), lastError: b.lastError)
            }
        }
    }

    public func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self, throwing: (any Error).self)
        // Tied to the consumer: ending or dropping the stream cancels it, and the backend's request with it.
        let producer = Task { await self.run(request, continuation) }
        continuation.onTermination = { _ in producer.cancel() }
        return stream
    }

    private func run(_ request: GenerationRequest, _ continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) async {
        var tried = Set<Int>()
        var errors: [Int: GenerationError] = [:]
        while !Task.isCancelled {
            guard let (index, probe) = acquire(excluding: tried) else {
                let error = unavailable(errors)
                logger.error(
                    "no generation backend available",
                    metadata: ["pool": "\(name)", "request_id": "\(request.requestID)", "error": "\(error.message)"])
                continuation.finish(throwing: error)
                return
            }
            tried.insert(index)
            let backend = backends[index]
            var yielded = false
            do {
                for try await event in backend.generate(request) {
                    continuation.yield(event)
                    switch event {
                    case .delta:
                        yielded = true
                    case .finished(let summary):
                        if summary.finishReason == .incomplete {
                            release(index, probe: probe, .failure(summary.problem ?? "incomplete answer"))
                        } else {
                            release(index, probe: probe, .success)
                        }
                        continuation.finish()
                        return
                    }
                }
                if Task.isCancelled {
                    // The consumer went away (a cancelled stream just ends): nothing to hold against the backend.
                    release(index, probe: probe, .abandoned)
                    continuation.finish(throwing: CancellationError())
                    return
                }
                // The backend broke the contract: its stream ended without `.finished`.
                let problem = "\(backend.name) ended its stream without a summary"
                release(index, probe: probe, .failure(problem))
                if yielded {
                    continuation.yield(.finished(incompleteSummary(backend, request, problem)))
                    continuation.finish()
                    return
                }
                errors[index] = GenerationError(.malformed, backend: backend.name, problem)
            } catch {
                if Task.isCancelled || error is CancellationError {
                    release(index, probe: probe, .abandoned)
                    continuation.finish(throwing: CancellationError())
                    return
                }
                let failure = error as? GenerationError ?? GenerationError(.connect, backend: backend.name, "\(error)")
                if yielded {
                    // The backend broke the contract (an error after text): end as the contract says.
                    release(index, probe: probe, .failure(failure.message))
                    continuation.yield(.finished(incompleteSummary(backend, request, failure.message)))
                    continuation.finish()
                    return
                }
                errors[index] = failure
                guard failure.isRetryable else {
                    // The request's own fault (or a backend answering nonsense): no failover.
                    release(index, probe: probe, failure.kind == .malformed ? .failure(failure.message) : .success)
                    continuation.finish(throwing: failure)
                    return
                }
                release(index, probe: probe, .failure(failure.message))
                logger.warning(
                    "generation backend failed before the first token; failing over",
                    metadata: [
                        "pool": "\(name)", "backend": "\(backend.name)", "request_id": "\(request.requestID)",
                        "kind": "\(failure.kind.rawValue)", "error": "\(failure.message)"
                    ])
            }
        }
        continuation.finish(throwing: CancellationError())
    }

    private func incompleteSummary(_ backend: any Generator, _ request: GenerationRequest, _ problem: String) -> GenerationSummary {
        GenerationSummary(
            backend: backend.name, model: "",
            usage: TokenUsage(promptTokens: TokenEstimate.prompt(request.messages), completionTokens: 0, estimated: true),
            finishReason: .incomplete, problem: problem)
    }

    /// The error when no backend could take the request: each backend's state and last error.
    private func unavailable(_ errors: [Int: GenerationError]) -> GenerationError {
        guard !backends.isEmpty else { return GenerationError(.unavailable, backend: name, "no generation backends are configured") }
        let t = now()
        let parts = state.withLock { s in
            backends.indices.map { i -> String in
                let b = s.backends[i]
                if let e = errors[i] { return "\(backends[i].name): \(e.kind.rawValue): \(e.message)" }
                let last = b.lastError.map { "; last error: \($0)" } ?? ""
                switch b.breaker.state(at: t) {
                case .open:
                    let left = b.breaker.openUntil.map { max(0, ($0 - t).seconds) } ?? 0
                    return "\(backends[i].name): circuit open for another \(Int(left.rounded(.up))) s\(last)"
                case .halfOpen: return "\(backends[i].name): circuit half-open, probe in flight\(last)"
                case .closed: return "\(backends[i].name): not tried\(last)"
                }
            }
        }
        return GenerationError(
            .unavailable, backend: name, "every generation backend failed or is unavailable: " + parts.joined(separator: "; "))
    }
}
