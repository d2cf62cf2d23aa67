/// When a circuit breaker opens and for how long.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// Consecutive failures that open the circuit.
    public var failureThreshold: Int
    /// How long an open circuit sends nothing before it lets one probe request through.
    public var cooldown: Duration

    public init(failureThreshold: Int = 3, cooldown: Duration = .seconds(30)) {
        self.failureThreshold = max(1, failureThreshold)
        self.cooldown = cooldown
    }
}

/// A backend's circuit, as the pool sees it at a given moment.
public enum CircuitState: String, Sendable, Equatable, Codable {
    /// Requests flow.
    case closed
    /// Too many consecutive failures: no requests until the cooldown has passed.
    case open
    /// The cooldown has passed: one probe request may go through; its success closes the
    /// circuit, its failure opens it again.
    case halfOpen = "half-open"
}

/// One backend's circuit breaker and load counters (kept by the pool under its lock).
struct CircuitBreaker {
    var consecutiveFailures = 0
    /// Set while open (and half-open): when the cooldown ends.
    var openUntil: ContinuousClock.Instant?
    /// A half-open probe request is in flight.
    var probing = false

    func state(at now: ContinuousClock.Instant) -> CircuitState {
        guard let until = openUntil else { return .closed }
        return now < until ? .open : .halfOpen
    }

    /// Whether a request may be sent now.
    func admits(at now: ContinuousClock.Instant) -> Bool {
        switch state(at: now) {
        case .closed: return true
        case .open: return false
        case .halfOpen: return !probing
        }
    }

    /// Marks a request as sent; true when it is the half-open probe.
    mutating func admit(at now: ContinuousClock.Instant) -> Bool {
        guard state(at: now) == .halfOpen else { return false }
        probing = true
        return true
    }

    /// A request succeeded: the circuit closes.
    mutating func succeeded() {
        consecutiveFailures = 0
        openUntil = nil
        probing = false
    }

    /// A request failed; true when this opened (or re-opened) the circuit.
    mutating func failed(at now: ContinuousClock.Instant, probe: Bool, _ policy: CircuitBreakerPolicy) -> Bool {
        consecutiveFailures += 1
        if probe || (openUntil == nil && consecutiveFailures >= policy.failureThreshold) {
            openUntil = now + policy.cooldown
            probing = false
            return true
        }
        return false
    }

    /// A request ended saying nothing about the backend's health (the consumer cancelled).
    mutating func abandoned(probe: Bool) {
        if probe { probing = false }
    }
}
