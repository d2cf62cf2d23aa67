import Foundation
import LoreCore
import LoreQuery
import LoreTestSupport
import Testing

/// The extractive answerer's model-free prefilter: it keeps the sentences that share the
/// question's rarer words, breaks ties by source rank, never drops anything under the limit,
/// and bounds the sentences the answerer embeds without changing what it answers when the
/// answering sentence shares the question's words.
@Suite("Extractive prefilter")
struct PrefilterTests {
    let fixture = CorpusFixture.shared

    @Test("under the limit every sentence is kept, in order")
    func underLimit() {
        let s = [("One sentence here.", 0), ("Another one there.", 1)]
        #expect(Prefilter.best(5, of: s, question: "anything", ignoring: []) == [0, 1])
    }

    @Test("a sentence with the question's rare word beats one with only its common word; ties go to the better-ranked source")
    func rareWordsFirst() {
        let s = [
            ("The database opens a file.", 0),  // common word only
            ("The database keeps a page cache.", 0),  // common word only
            ("Checkpointing moves pages from the log back into the database.", 2),  // rare + common
            ("Nothing in common at all.", 0),
            ("Also nothing shared.", 1)
        ]
        // "checkpoints" meets "Checkpointing" by their first five letters.
        let kept = Prefilter.best(3, of: s, question: "When do checkpoints copy the database?", ignoring: ["the", "when"])
        #expect(kept == [0, 1, 2])
        // With nothing shared at all, the better-ranked sources' sentences go first.
        let none = Prefilter.best(2, of: s, question: "zebra", ignoring: [])
        #expect(none == [0, 1])
    }

    @Test(
        "with embed_limit the answerer embeds at most the limit of sentences per answer, and answers from a sentence sharing the question's words as before"
    )
    func boundedEmbeddings() async throws {
        let cacheTests = SentenceVectorCacheTests()
        let question = "What does write-ahead logging let readers do while a writer commits?"
        let unlimited = try await cacheTests.answer(question, with: ExtractiveAnswerer(embedder: fixture.embedder))
        let counting = SentenceVectorCacheTests.CountingEmbedder(fixture.embedder)
        let limited = try await cacheTests.answer(question, with: ExtractiveAnswerer(embedder: counting, embedLimit: 4))
        // The question's vector comes from retrieval: only sentences are embedded here.
        #expect(counting.texts <= 4, "\(counting.texts) sentences embedded")
        #expect(counting.texts > 0)
        let first = { (a: String) in a.components(separatedBy: "]").first ?? a }
        #expect(first(limited) == first(unlimited), "limited: \(limited)\nunlimited: \(unlimited)")
    }
}
