import Synchronization

/// Shared by one attempt's HTTP exchange and its watchdog: decides, race-free, whether the
/// first text delta came before the first-token limit, and records which limit (if any)
/// cut the attempt short.
final class AttemptGate: Sendable {
    /// The limit that ended the attempt.
    enum Expiry: Sendable, Equatable {
        /// No first text within the first-token limit.
        case firstToken
        /// The generation's overall limit.
        case request
    }

    private struct State {
        var textStarted = false
        var expiry: Expiry?
    }

    private let state = Mutex(State())

    /// Called before yielding the first delta: true if the text may go out, false when the
    /// first-token limit has already struck (the attempt then fails with `.timeout`).
    func beginText() -> Bool {
        state.withLock { s in
            guard s.expiry == nil else { return false }
            s.textStarted = true
            return true
        }
    }

    /// The first-token limit has passed: true (and the attempt is to be stopped) when no
    /// text has gone out yet.
    func expireFirstToken() -> Bool {
        state.withLock { s in
            guard !s.textStarted, s.expiry == nil else { return false }
            s.expiry = .firstToken
            return true
        }
    }

    /// The overall limit has passed: the attempt is to be stopped.
    func expireRequest() {
        state.withLock { s in
            if s.expiry == nil { s.expiry = .request }
        }
    }

    /// Which limit stopped the attempt, if one did.
    var expiry: Expiry? { state.withLock { $0.expiry } }
}
