import LoreCore

/// The pool's mutable state, guarded by its mutex.
struct PoolState {
    struct Backend {
        var outstanding = 0
        var requests = 0
        var failures = 0
        var lastError: String?
        var breaker = CircuitBreaker()
    }

    var backends: [Backend]
    /// Where the next tie-break starts (round-robin among equally loaded backends).
    var cursor = 0

    init(count: Int) { backends = Array(repeating: Backend(), count: count) }
}

/// How a request on a backend ended, for its circuit breaker.
enum BackendOutcome {
    case success
    case failure(String)
    /// The consumer went away: says nothing about the backend.
    case abandoned
}

extension BackendPool {
    /// Picks the admitted backend with the fewest requests in flight, not in `excluding`
    /// (ties: round-robin from the cursor), and counts the request on it. Nil when none can
    /// take it. Also says whether the request is its half-open probe.
    func acquire(excluding: Set<Int>) -> (Int, probe: Bool)? {
        let t = now()
        let picked: (Int, Bool)? = state.withLock { s in
            let n = s.backends.count
            guard n > 0 else { return nil }
            var best: Int? = nil
            for step in 0..<n {
                let i = (s.cursor + step) % n
                guard !excluding.contains(i), s.backends[i].breaker.admits(at: t) else { continue }
                if best == nil || s.backends[i].outstanding < s.backends[best!].outstanding { best = i }
            }
            guard let i = best else { return nil }
            s.cursor = (i + 1) % n
            let probe = s.backends[i].breaker.admit(at: t)
            s.backends[i].outstanding += 1
            s.backends[i].requests += 1
            return (i, probe)
        }
        guard let (index, probe) = picked else { return nil }
        if probe {
            logger.info("circuit half-open: sending a probe request", metadata: ["pool": "\(name)", "backend": "\(backends[index].name)"])
        }
        return (index, probe)
    }

    /// Ends a request on backend `index`.
    func release(_ index: Int, probe: Bool, _ outcome: BackendOutcome) {
        let t = now()
        let (opened, closed): (Bool, Bool) = state.withLock { s in
            s.backends[index].outstanding -= 1
            switch outcome {
            case .success:
                let wasOpen = s.backends[index].breaker.openUntil != nil
                s.backends[index].breaker.succeeded()
                return (false, wasOpen)
            case .failure(let message):
                s.backends[index].failures += 1
                s.backends[index].lastError = message
                return (s.backends[index].breaker.failed(at: t, probe: probe, policy), false)
            case .abandoned:
                s.backends[index].breaker.abandoned(probe: probe)
                return (false, false)
            }
        }
        let backend = backends[index].name
        if opened {
            logger.warning(
                "circuit opened", metadata: ["pool": "\(name)", "backend": "\(backend)", "cooldown_s": "\(policy.cooldown.seconds)"])
        } else if closed {
            logger.info("circuit closed", metadata: ["pool": "\(name)", "backend": "\(backend)"])
        }
    }
}
