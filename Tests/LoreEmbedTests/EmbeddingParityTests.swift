import LoreEmbed
import LoreTestSupport
import Testing

/// The in-process MiniLM matches sentence-transformers' all-MiniLM-L6-v2.
@Suite("MiniLM parity with sentence-transformers")
struct EmbeddingParityTests {
    static let embedder: MiniLMEmbedder = {
        do { return try MiniLMEmbedder(modelDirectory: TestPaths.model) } catch { fatalError("\(error)") }
    }()

    @Test("cosine similarity ≥ 0.99999 on average and ≥ 0.9999 at worst, over 100+ texts (some over 256 tokens)")
    func parity() {
        let cases = ReferenceFixtures.embeddingCases
        #expect(cases.count >= 100)
        #expect(cases.contains { $0.tokens == 256 }, "some texts are truncated")
        let vectors = Self.embedder.embedSync(cases.map(\.text))
        var cosines: [Double] = []
        for (c, v) in zip(cases, vectors) {
            #expect(Self.embedder.tokenizer.encode(c.text).count == c.tokens, "token count of \(c.text.prefix(40))")
            var dot = 0.0, a = 0.0, b = 0.0
            for (x, y) in zip(c.embedding, v) { dot += Double(x) * Double(y); a += Double(x) * Double(x); b += Double(y) * Double(y) }
            cosines.append(dot / (a.squareRoot() * b.squareRoot()))
        }
        let mean = cosines.reduce(0, +) / Double(cosines.count)
        let worst = cosines.min() ?? 0
        print("MiniLM parity over \(cosines.count) texts: mean cosine \(mean), worst \(worst)")
        #expect(mean >= 0.99999, "mean cosine \(mean)")
        #expect(worst >= 0.9999, "worst cosine \(worst)")
    }

    @Test("vectors are unit length and a text embeds the same alone or in a batch")
    func normalisedAndBatchIndependent() {
        let texts = ["short", "a somewhat longer sentence about SQLite write-ahead logging", String(repeating: "many words ", count: 300)]
        let batch = Self.embedder.embedSync(texts)
        for (t, v) in zip(texts, batch) {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
            let alone = Self.embedder.embedSync([t])[0]
            let cos = zip(v, alone).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(cos > 0.99999)
        }
    }
}
