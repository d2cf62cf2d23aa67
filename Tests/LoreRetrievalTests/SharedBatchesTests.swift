import Foundation
import LoreCore
import LoreRetrieval
import LoreTestSupport
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
        let batches = SharedBatches(fixture.embedder, maxTexts: 8, concurrent: 1)
        // A long call holds the only slot for a while (200 passages of the corpus's length).
        let long = (0..<200).map {
            "Passage \($0): " + String(repeating: "write-ahead logging lets readers go on while a writer commits. ", count: 12)
        }
        let busy = Task { try await batches.embed(long) }
        // Wait until it runs (it is the one batch started), then ask 15 questions at once.
        while batches.batchesStarted == 0 { await Task.yield() }
        let questions = (0..<15).map { "question \($0) about the storage engine and its page cache?" }
        let calls = questions.map { q in Task { try await batches.embed([q]) } }
        calls[3].cancel()  // its client went away
        let vectors = try await calls.asyncMap { try await $0.value }
        let direct = fixture.embedder.embedSync(questions, parallelism: 1)
        for (i, v) in vectors.enumerated() {
            #expect(v.count == 1 && Self.close(v[0], direct[i]), "question \(i)")
        }
        #expect(try await busy.value.count == 200)
        // The long call's batch, then the 15 questions in batches of at most 8.
        #expect(batches.batchesStarted == 3, "\(batches.batchesStarted) batches")
    }

    @Test("past max_queued, a call is embedded on its own: nothing is refused and the queue stays bounded")
    func boundedQueue() async throws {
        let batches = SharedBatches(fixture.embedder, maxTexts: 4, concurrent: 1, maxQueued: 2)
        let long = (0..<400).map { "Passage \($0): " + String(repeating: "the page cache keeps recently read pages. ", count: 12) }
        let busy = Task { try await batches.embed(long) }  // past max_queued, but the queue is empty: batched
        while batches.batchesStarted == 0 { await Task.yield() }
        let texts = ["one question", "another question", "a third question"]
        let queued = Task { try await batches.embed(texts) }  // waits: the queue was empty
        while batches.queuedTexts == 0 { await Task.yield() }
        #expect(batches.queuedTexts == 3)
        let outside = try await batches.embed(texts)  // 3 + 3 texts would pass 2: embedded on its own, at once
        #expect(batches.callsOutside == 1, "the call that found the queue full was embedded on its own")
        let direct = fixture.embedder.embedSync(texts, parallelism: nil)
        #expect(zip(outside, direct).allSatisfy { Self.close($0, $1) })
        let (queuedCount, busyCount) = (try await queued.value.count, try await busy.value.count)
        #expect(queuedCount == 3 && busyCount == 400)
        #expect(batches.batchesStarted == 2 && batches.queuedTexts == 0)
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
