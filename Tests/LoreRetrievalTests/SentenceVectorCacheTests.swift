import Foundation
import LoreCore
import LorePrompts
import LoreQuery
import LoreRetrieval
import LoreTestSupport
import Synchronization
import Testing

/// The extractive answerer's sentence-vector cache: answers are the same with it as without
/// it, a repeated question embeds only the question, and the cache never outgrows its
/// capacity.
@Suite("Sentence vector cache")
struct SentenceVectorCacheTests {
    let fixture = CorpusFixture.shared

    /// Counts the texts it is asked to embed, then embeds them with the real model.
    final class CountingEmbedder: Embedder, Sendable {
        let inner: any Embedder
        private let embedded = Mutex(0)
        /// Texts embedded so far.
        var texts: Int { embedded.withLock { $0 } }
        init(_ inner: any Embedder) { self.inner = inner }
        var modelID: String { inner.modelID }
        var dimension: Int { inner.dimension }
        func embed(_ texts: [String]) async throws -> [[Float]] {
            embedded.withLock { $0 += texts.count }
            return try await inner.embed(texts)
        }
    }

    func answer(_ question: String, with answerer: ExtractiveAnswerer) async throws -> String {
        let (_, _, retriever) = try fixture.open()
        let registry = try PromptRegistry.load(
            directory: TestPaths.repositoryRoot + "/prompts", defaults: ["answer": "v1", "condense": "v1"])
        let service = try QueryService(
            retriever: retriever, prompts: registry, assembler: ContextAssembler(counter: fixture.embedder.tokenizer),
            generators: ["extractive": answerer], defaultBackend: "extractive")
        return try await service.answer(QueryRequest(question: question)).answer
    }

    @Test("with the cache the answers are those without it; asked again, nothing is embedded (the question's vector comes from retrieval)")
    func sameAnswersFewerEmbeddings() async throws {
        let questions = [
            "What does write-ahead logging let readers do while a writer commits?",
            "How does the BM25 scorer compute inverse document frequency?"
        ]
        let counting = CountingEmbedder(fixture.embedder)
        let cache = SentenceVectorCache(capacity: 10_000)
        let cached = ExtractiveAnswerer(embedder: counting, cache: cache)
        let plain = ExtractiveAnswerer(embedder: fixture.embedder)
        for q in questions {
            let expected = try await answer(q, with: plain)
            let first = try await answer(q, with: cached)
            let afterFirst = counting.texts
            let second = try await answer(q, with: cached)
            #expect(first == expected && second == expected, "\(q)")
            #expect(afterFirst > 1, "the first answer embeds its sentences")
            #expect(counting.texts - afterFirst == 0, "a repeated answer embeds nothing, not \(counting.texts - afterFirst) texts")
        }
        #expect(cache.count > 0)
    }

    @Test("the cache forgets its oldest sentences past its capacity; capacity 0 keeps nothing")
    func bounded() {
        let cache = SentenceVectorCache(capacity: 3)
        for i in 0..<5 { cache.store("s\(i)", [Float(i)]) }
        #expect(cache.count == 3)
        let found = cache.lookup(["s0", "s1", "s2", "s3", "s4"])
        #expect(found.map { $0?.first } == [nil, nil, 2, 3, 4])
        let none = SentenceVectorCache(capacity: 0)
        none.store("a", [1])
        #expect(none.count == 0 && none.lookup(["a"]) == [nil])
    }
}
