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
