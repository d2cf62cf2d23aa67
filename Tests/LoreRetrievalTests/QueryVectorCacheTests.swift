import Foundation
import LoreCore
import LoreRetrieval
import LoreTestSupport
import Testing

/// The query-vector cache in front of the real MiniLM: a repeated question gives the model's
/// own vector without a forward pass, the entries stay within their byte budget with the
/// least recently used going first, and a budget of 0 keeps nothing.
@Suite("Query vector cache")
struct QueryVectorCacheTests {
    let fixture = CorpusFixture.shared
    typealias CountingEmbedder = SentenceVectorCacheTests.CountingEmbedder

    @Test("a repeated question is answered from memory with the model's own vector; repeats within one call are embedded once")
    func repeatsAreNotEmbedded() async throws {
        let counting = CountingEmbedder(fixture.embedder)
        let cache = QueryVectorCache(counting, capacityBytes: 1 << 20)
        #expect(cache.modelID == fixture.embedder.modelID && cache.dimension == fixture.embedder.dimension)
        let q = ["How does WAL mode work?", "What is BM25?", "How does WAL mode work?"]
        let first = try await cache.embed(q)
        #expect(counting.texts == 2, "two distinct questions, embedded once each, not \(counting.texts)")
        let again = try await cache.embed([q[1], q[0]])
        #expect(counting.texts == 2, "asked again, nothing is embedded")
        let direct = try await fixture.embedder.embed([q[0], q[1]])
        #expect(first[0] == direct[0] && first[2] == direct[0] && first[1] == direct[1])
        #expect(again == [direct[1], direct[0]])
        #expect(cache.count == 2 && cache.contains(q[0]))
    }

    @Test("the entries never take more than the budget; the least recently used goes first")
    func boundedLeastRecentlyUsed() async throws {
        let dimension = fixture.embedder.dimension
        let texts = (0..<5).map { "question number \($0)" }
        // Room for three entries of these texts, not four.
        let entry = texts[0].utf8.count + dimension * 4 + 96
        let cache = QueryVectorCache(fixture.embedder, capacityBytes: entry * 3 + entry / 2)
        _ = try await cache.embed(Array(texts[0..<3]))
        _ = try await cache.embed([texts[0]])  // 0 is now the most recent; 1 the least
        _ = try await cache.embed([texts[3]])
        #expect(cache.count == 3 && cache.bytes <= cache.capacityBytes, "\(cache.count) entries, \(cache.bytes) bytes")
        #expect(cache.contains(texts[0]) && !cache.contains(texts[1]) && cache.contains(texts[2]) && cache.contains(texts[3]))
        _ = try await cache.embed([texts[4]])
        #expect(!cache.contains(texts[2]) && cache.contains(texts[0]) && cache.contains(texts[4]))
        // A text larger than the whole budget is embedded but not kept.
        let long = String(repeating: "a very long question ", count: 200)
        let v = try await cache.embed([long])
        #expect(v.count == 1 && !cache.contains(long) && cache.count == 3)
    }

    @Test("a budget of 0 passes every question to the model and keeps nothing")
    func zeroBudget() async throws {
        let counting = CountingEmbedder(fixture.embedder)
        let cache = QueryVectorCache(counting, capacityBytes: 0)
        _ = try await cache.embed(["a question", "a question"])
        _ = try await cache.embed(["a question"])
        #expect(counting.texts == 3 && cache.count == 0)
    }

    @Test("retrieval through the cache returns what retrieval without it returns")
    func retrievalUnchanged() async throws {
        let cache = QueryVectorCache(fixture.embedder, capacityBytes: 1 << 20)
        let (_, _, plain) = try fixture.open()
        let (_, _, cached) = try fixture.open(embedder: cache)
        for q in ["How are chunks split by headings?", "How are chunks split by headings?", "What does WAL mode let readers do?"] {
            let a = try await plain.retrieve(q).passages.map(\.chunkIDs)
            let b = try await cached.retrieve(q).passages.map(\.chunkIDs)
            #expect(a == b, "\(q)")
        }
        #expect(cache.count == 2)
    }
}
