import LoreCore
import Synchronization

/// A `Generator` for the pool tests whose behaviour the test sets and changes, and which
/// counts its requests.
final class ScriptedGenerator: Generator {
    enum Behaviour: Sendable {
        /// Answers at once with these deltas.
        case answer([String])
        /// Throws before any text.
        case fail(GenerationError)
        /// Yields these deltas, then ends `.incomplete` (a backend that died mid-stream).
        case breakAfter([String])
        /// Holds each request until the test releases it, then answers "held".
        case hold
    }

    let name: String
    private let state: Mutex<(behaviour: Behaviour, requests: Int, held: [CheckedContinuation<Void, Never>])>
    /// One element per request held (the generator's name), for tests to wait on.
    let arrivals: AsyncStream<String>
    private let arrived: AsyncStream<String>.Continuation

    /// - Parameter arrivals: a stream to report arrivals to, shared by several generators;
    ///   by default each has its own (`arrivals`).
    init(_ name: String, _ behaviour: Behaviour, arrivals shared: AsyncStream<String>.Continuation? = nil) {
        self.name = name
        state = Mutex((behaviour, 0, []))
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        arrivals = stream
        arrived = shared ?? continuation
    }

    var requests: Int { state.withLock { $0.requests } }

    func set(_ behaviour: Behaviour) { state.withLock { $0.behaviour = behaviour } }

    /// Lets every held request answer.
    func releaseAll() {
        let held = state.withLock { s in
            defer { s.held.removeAll() }
            return s.held
        }
        for h in held { h.resume() }
    }

    func summary(_ finish: FinishReason, problem: String? = nil) -> GenerationSummary {
        GenerationSummary(
            backend: name, model: "scripted", usage: TokenUsage(promptTokens: 1, completionTokens: 1, estimated: true),
            finishReason: finish, problem: problem)
    }

    func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let behaviour = state.withLock { s in
            s.requests += 1
            return s.behaviour
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                switch behaviour {
                case .answer(let deltas):
                    for d in deltas { continuation.yield(.delta(d)) }
                    continuation.yield(.finished(summary(.stop)))
                    continuation.finish()
                case .fail(let error):
                    continuation.finish(throwing: error)
                case .breakAfter(let deltas):
                    for d in deltas { continuation.yield(.delta(d)) }
                    continuation.yield(.finished(summary(.incomplete, problem: "scripted break")))
                    continuation.finish()
                case .hold:
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        state.withLock { $0.held.append(c) }
                        arrived.yield(name)
                    }
                    continuation.yield(.delta("held"))
                    continuation.yield(.finished(summary(.stop)))
                    continuation.finish()
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { current.withLock { $0 } }
    func advance(by d: Duration) { current.withLock { $0 += d } }
}
