import LoreCore
import LoreGenerate
import Testing

/// The pool over scripted backends: routing, failover, circuit breakers. Time is a manual
/// clock; requests are sequenced on the backends' arrival reports, never on sleeps.
@Suite("Backend pool")
struct BackendPoolTests {
    static let refused = GenerationError(.connect, backend: "x", "connection refused")

    @Test("requests go to the backend with the fewest in flight")
    func leastOutstandingRouting() async throws {
        let (arrivals, arrived) = AsyncStream.makeStream(of: String.self)
        let (finished, done) = AsyncStream.makeStream(of: String.self)
        let a = ScriptedGenerator("a", .hold, arrivals: arrived)
        let b = ScriptedGenerator("b", .hold, arrivals: arrived)
        let pool = BackendPool(backends: [a, b])
        var arrival = arrivals.makeAsyncIterator()
        var completion = finished.makeAsyncIterator()

        func start() -> Task<Void, any Error> {
            Task {
                let out = try await pool.collect(ask("q"))
                done.yield(out.summary?.backend ?? "none")
            }
        }
        var tasks: [Task<Void, any Error>] = []
        // Four concurrent requests, each started once the previous one has arrived: spread two and two.
        var firstFour: [String] = []
        for _ in 0..<4 {
            tasks.append(start())
            firstFour.append(try #require(await arrival.next()))
        }
        #expect(firstFour.filter { $0 == "a" }.count == 2, "\(firstFour)")
        #expect(pool.stats().map(\.outstanding) == [2, 2])

        // `a` finishes its two; `b` still has two in flight.
        a.releaseAll()
        #expect(await completion.next() == "a")
        #expect(await completion.next() == "a")
        #expect(pool.stats().map(\.outstanding) == [0, 2])

        // The next two both go to `a` (0 then 1 in flight, against 2): round-robin alone would not do that.
        tasks.append(start())
        #expect(await arrival.next() == "a")
        tasks.append(start())
        #expect(await arrival.next() == "a")
        #expect(pool.stats().map(\.outstanding) == [2, 2])
        #expect(a.requests == 4 && b.requests == 2)

        a.releaseAll()
        b.releaseAll()
        for t in tasks { try await t.value }
        #expect(pool.stats().map(\.outstanding) == [0, 0])
        #expect(pool.stats().map(\.requests) == [4, 2])
    }

    @Test("a retryable failure before the first token fails over to the next backend")
    func failover() async throws {
        let a = ScriptedGenerator("a", .fail(Self.refused))
        let b = ScriptedGenerator("b", .answer(["fine"]))
        let pool = BackendPool(backends: [a, b])
        let out = try await pool.collect(ask("q"))
        #expect(out.text == "fine" && out.summary?.backend == "b")
        #expect(a.requests == 1 && b.requests == 1)
        #expect(pool.stats()[0].failures == 1 && pool.stats()[0].lastError == "connection refused")
    }

    @Test("a non-retryable failure (a 400) is returned as it is, without failover")
    func noFailoverForClientErrors() async throws {
        let a = ScriptedGenerator("a", .fail(GenerationError(.status, backend: "a", "context too long", status: 400)))
        let b = ScriptedGenerator("b", .answer(["fine"]))
        let f = await BackendPool(backends: [a, b]).failure(ask("q"))
        #expect(f.error?.kind == .status && f.error?.status == 400)
        #expect(b.requests == 0)
    }

    @Test("no failover once text has gone out: a break mid-stream ends .incomplete")
    func noFailoverAfterFirstToken() async throws {
        let a = ScriptedGenerator("a", .breakAfter(["par", "tial"]))
        let b = ScriptedGenerator("b", .answer(["fine"]))
        let pool = BackendPool(backends: [a, b])
        let out = try await pool.collect(ask("q"))
        #expect(out.text == "partial")
        #expect(out.summary?.finishReason == .incomplete && out.summary?.backend == "a")
        #expect(b.requests == 0)
        #expect(pool.stats()[0].failures == 1)
    }

    @Test("after N consecutive failures a backend's circuit opens and it gets no more requests")
    func circuitOpens() async throws {
        let clock = ManualClock()
        let a = ScriptedGenerator("a", .fail(Self.refused))
        let b = ScriptedGenerator("b", .answer(["fine"]))
        let pool = BackendPool(
            backends: [a, b], policy: CircuitBreakerPolicy(failureThreshold: 3, cooldown: .seconds(30)), now: { clock.now })
        for _ in 0..<10 {
            let out = try await pool.collect(ask("q"))
            #expect(out.summary?.backend == "b")
        }
        #expect(a.requests == 3, "the circuit opened after the third failure")
        #expect(b.requests == 10)
        let stats = pool.stats()
        #expect(stats[0].circuit == .open && stats[0].consecutiveFailures == 3 && stats[0].failures == 3)
        #expect(stats[1].circuit == .closed && stats[1].failures == 0)
    }

    @Test("after the cooldown one probe goes through: failure re-opens the circuit, success closes it")
    func halfOpenProbe() async throws {
        let clock = ManualClock()
        let a = ScriptedGenerator("a", .fail(Self.refused))
        let pool = BackendPool(backends: [a], policy: CircuitBreakerPolicy(failureThreshold: 2, cooldown: .seconds(30)), now: { clock.now })
        for _ in 0..<2 { _ = await pool.failure(ask("q")) }
        #expect(a.requests == 2 && pool.stats()[0].circuit == .open)

        let whileOpen = await pool.failure(ask("q"))
        #expect(whileOpen.error?.kind == .unavailable)
        #expect(whileOpen.error?.message.contains("circuit open") == true, "\(String(describing: whileOpen.error))")
        #expect(a.requests == 2)

        clock.advance(by: .seconds(29))
        _ = await pool.failure(ask("q"))
        #expect(a.requests == 2, "still cooling down")

        clock.advance(by: .seconds(1))
        #expect(pool.stats()[0].circuit == .halfOpen)
        _ = await pool.failure(ask("q"))
        #expect(a.requests == 3, "one probe")
        #expect(pool.stats()[0].circuit == .open, "the failed probe re-opened the circuit")
        _ = await pool.failure(ask("q"))
        #expect(a.requests == 3)

        // A held probe: while it is in flight nothing else is sent; its success closes the circuit.
        a.set(.hold)
        clock.advance(by: .seconds(30))
        var arrivals = a.arrivals.makeAsyncIterator()
        let probe = Task { try await pool.collect(ask("q")) }
        #expect(await arrivals.next() == "a")
        let meanwhile = await pool.failure(ask("q"))
        #expect(meanwhile.error?.message.contains("probe in flight") == true, "\(String(describing: meanwhile.error))")
        #expect(a.requests == 4)
        a.releaseAll()
        #expect(try await probe.value.text == "held")
        #expect(pool.stats()[0].circuit == .closed && pool.stats()[0].consecutiveFailures == 0)
        a.set(.answer(["ok"]))
        #expect(try await pool.collect(ask("q")).text == "ok")
    }

    @Test("when every backend fails, .unavailable names each one's error")
    func allFail() async throws {
        let a = ScriptedGenerator("alpha", .fail(GenerationError(.connect, backend: "alpha", "connection refused")))
        let b = ScriptedGenerator("beta", .fail(GenerationError(.status, backend: "beta", "answered 503: overloaded", status: 503)))
        let f = await BackendPool(name: "llm-pool", backends: [a, b]).failure(ask("q"))
        let e = try #require(f.error)
        #expect(e.kind == .unavailable && e.backend == "llm-pool")
        #expect(e.message.contains("alpha: connect: connection refused"), "\(e.message)")
        #expect(e.message.contains("beta: status: answered 503: overloaded"), "\(e.message)")
        #expect(a.requests == 1 && b.requests == 1)
    }

    @Test("a pool without backends is .unavailable")
    func emptyPool() async {
        let f = await BackendPool(backends: []).failure(ask("q"))
        #expect(f.error?.kind == .unavailable)
    }
}

extension BackendPoolTests {
    @Test("a consumer that goes away releases the backend without counting a failure")
    func cancellationIsNotAFailure() async throws {
        let a = ScriptedGenerator("a", .hold)
        let pool = BackendPool(backends: [a], policy: CircuitBreakerPolicy(failureThreshold: 1))
        var arrivals = a.arrivals.makeAsyncIterator()
        let consumer = Task { try await pool.collect(ask("q")) }
        #expect(await arrivals.next() == "a")
        #expect(pool.stats()[0].outstanding == 1)
        consumer.cancel()
        _ = await consumer.result
        // The pool's producer notices the cancellation on its own task: wait (bounded) for its release.
        let deadline = ContinuousClock.now + .seconds(5)
        while pool.stats()[0].outstanding > 0, ContinuousClock.now < deadline { await Task.yield() }
        let stats = pool.stats()[0]
        #expect(stats.outstanding == 0)
        #expect(stats.failures == 0 && stats.circuit == .closed)
        a.releaseAll()
    }
}
