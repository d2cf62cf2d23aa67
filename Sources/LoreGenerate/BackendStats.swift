/// A snapshot of one backend of a `BackendPool`, for metrics and `/health`-style reports.
public struct BackendStats: Sendable, Equatable {
    /// The backend's name.
    public var name: String
    /// Requests in flight on it now.
    public var outstanding: Int
    /// Requests sent to it since the pool was made.
    public var requests: Int
    /// Of those, the ones that failed (before or, as `.incomplete`, after the first token).
    public var failures: Int
    /// Failures since its last success.
    public var consecutiveFailures: Int
    /// Its circuit now.
    public var circuit: CircuitState
    /// Its most recent failure, if any.
    public var lastError: String?

    public init(
        name: String, outstanding: Int, requests: Int, failures: Int, consecutiveFailures: Int,
        circuit: CircuitState, lastError: String?
    ) {
        self.name = name
        self.outstanding = outstanding
        self.requests = requests
        self.failures = failures
        self.consecutiveFailures = consecutiveFailures
        self.circuit = circuit
        self.lastError = lastError
    }
}
