import Foundation
import LoreCore
import LoreRetrieval
import LoreTestSupport
import Synchronization
import Testing

/// Shared encoder batches over the real MiniLM: every call gets the model's own vectors,
/// calls that arrive while the batch slots are busy go together into the next batch, and a
/// caller that goes away does not fail the others.
@Suite("Shared encoder batches")
struct SharedBatchesTests {
    let fixture = CorpusFixture.shared

    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        zip(a, b).map { $0 * $1 }.reduce(0, +) > 0.99999
    }

    @Test("a lone call starts at once and gets the model's vectors")
    func loneCall() async throws {
        let batches = SharedBatches(fixture.embedder, maxTexts: 8, concurrent: 1)
        let texts = ["How does WAL mode work?", "What is BM25?"]
        let v = try await batches.embed(texts)
        let direct = fixture.embedder.embedSync(texts, parallelism: nil)
        #expect(v.count == 2 && zip(v, direct).allSatisfy { Self.close($0, $1) })
        #expect(batches.batchesStarted == 1)
    }

    @Test(
        "calls that arrive while the one slot is busy share the next batches (whole calls, at most max_texts texts); each gets its own vectors; a cancelled caller does not fail the rest"
    )
    func callsShareBatches() async throws {
        // The real model behind a gate: the first batch holds the only slot until every
        // question has queued, however loaded the machine (no race with the clock).
        let gate = GatedEmbedder(fixture.embedder)
        let batches = SharedBatches(gate, maxTexts: 8, concurrent: 1)
        let busy = Task { try await batches.embed(["a first caller holds the slot"]) }
        await gate.firstCallEntered()
        let questions = (0..<15).map { "question \($0) about the storage engine and its page cache?" }
        let calls = questions.map { q in Task { try await batches.embed([q]) } }
        calls[3].cancel()  // its client went away
        while batches.queuedTexts < questions.count { await Task.yield() }
        gate.open()
        let vectors = try await calls.asyncMap { try await $0.value }
        let direct = fixture.embedder.embedSync(questions, parallelism: 1)
        for (i, v) in vectors.enumerated() {
            #expect(v.count == 1 && Self.close(v[0], direct[i]), "question \(i)")
        }
        #expect(try await busy.value.count == 1)
        // The first call's batch, then the 15 questions in batches of at most 8.
        #expect(batches.batchesStarted == 3, "\(batches.batchesStarted) batches")
        #expect(gate.batchSizes == [1, 8, 7])
    }

    @Test(
        "a flood of long questions neither starves a short one nor runs the encoder past its bound: one batch at a time, at most max_texts texts, every call answered"
    )
    func floodOfLongQuestions() async throws {
        let batches = SharedBatches(fixture.embedder, maxTexts: 8, concurrent: 1)
        // Past the model's 256 tokens: truncated, the longest a question can cost.
        let long = String(repeating: "how does the write-ahead log interact with checkpoints and with readers ", count: 30)
        let flood = (0..<40).map { i in Task { try await batches.embed(["\(i) " + long]) } }
        while batches.batchesStarted == 0 { await Task.yield() }
        let short = "What is BM25?"
        let answer = try await batches.embed([short])
        let direct = fixture.embedder.embedSync([short], parallelism: nil)
        #expect(answer.count == 1 && Self.close(answer[0], direct[0]), "the short question gets its own vector")
        for call in flood { #expect(try await call.value.count == 1) }
        let peaks = batches.peaks
        #expect(peaks.running == 1 && peaks.texts <= 8, "\(peaks)")
        #expect(batches.queuedTexts == 0)
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        out.reserveCapacity(count)
        for e in self { out.append(try await transform(e)) }
        return out
    }
}

/// The real model behind a gate that holds its first call until the test opens it: a way to
/// keep a batch slot busy for exactly as long as a test needs, and to see the batches.
final class GatedEmbedder: SynchronousEmbedder, @unchecked Sendable {
    let base: any SynchronousEmbedder
    private let entered = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)
    private let sizes = Mutex<[Int]>([])

    init(_ base: any SynchronousEmbedder) { self.base = base }

    var modelID: String { base.modelID }
    var dimension: Int { base.dimension }
    var parallelism: Int { base.parallelism }
    /// Texts per call, in the order the calls came.
    var batchSizes: [Int] { sizes.withLock { $0 } }

    func embed(_ texts: [String]) async throws -> [[Float]] { embedSync(texts, parallelism: nil) }

    func embedSync(_ texts: [String], parallelism: Int?) -> [[Float]] {
        let first = sizes.withLock { s in
            s.append(texts.count)
            return s.count == 1
        }
        if first {
            entered.signal()
            gate.wait()
        }
        return base.embedSync(texts, parallelism: parallelism)
    }

    /// Returns once the first call is inside the gate.
    func firstCallEntered() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.entered.wait()
                c.resume()
            }
        }
    }

    /// Lets the first call go on.
    func open() { gate.signal() }
}
