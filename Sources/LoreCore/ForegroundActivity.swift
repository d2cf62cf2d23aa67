import Foundation
import Synchronization

/// How busy a server is with the requests users wait for: how many are in flight, and when
/// the last one started or ended. Background work that must not slow them (the shadow
/// candidate) starts only once no request has been in flight for a quiet period, so it uses
/// spare capacity and not a core a request is about to need.
///
/// One per server (the composition root makes it and hands it to every pipeline), not one
/// per process: servers that share a process (the tests') do not hold each other's
/// background work back.
public final class ForegroundActivity: Sendable {
    private let inFlight = Atomic<Int>(0)
    /// `DispatchTime.now().uptimeNanoseconds` at the last start or end.
    private let lastChange = Atomic<UInt64>(0)

    public init() {}

    /// A request the user waits for has started. Pair with `end()`.
    public func begin() {
        inFlight.add(1, ordering: .relaxed)
        lastChange.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
    }

    /// A request started with `begin()` has ended (answered, failed or cancelled).
    public func end() {
        inFlight.subtract(1, ordering: .relaxed)
        lastChange.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
    }

    /// Requests in flight now.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// True when no request is in flight and none started or ended during the last `quiet`.
    public func isQuiet(for quiet: Duration) -> Bool {
        guard inFlight.load(ordering: .relaxed) == 0 else { return false }
        let since = DispatchTime.now().uptimeNanoseconds &- lastChange.load(ordering: .relaxed)
        return Double(since) >= quiet.seconds * 1e9
    }
}
