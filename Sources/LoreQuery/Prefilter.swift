import Foundation

/// The extractive answerer's first, model-free pass over candidate sentences: BM25 of each
/// sentence against the question's words, with document frequencies counted over the
/// candidates themselves (a word that every sentence shares says little), words compared by
/// their first five letters (a crude stem: "checkpoints" meets "checkpointing"). Ties, and
/// sentences that share no word with the question, go by their source's rank, then their
/// place in it. Only the sentences it keeps are embedded.
public enum Prefilter {
    /// BM25's term-frequency saturation and length normalisation.
    static let k1 = 1.2
    static let b = 0.75

    /// The indices (in order) of the `limit` best of `sentences`, each with its source's rank.
    public static func best(
        _ limit: Int, of sentences: [(text: String, rank: Int)], question: String, ignoring stopwords: Set<String>
    ) -> [Int] {
        guard sentences.count > limit else { return Array(sentences.indices) }
        let query = Set(stems(question, ignoring: stopwords))
        let docs = sentences.map { stems($0.text) }
        var df: [String: Int] = [:]
        for d in docs { for t in Set(d) where query.contains(t) { df[t, default: 0] += 1 } }
        let n = Double(docs.count)
        let meanLength = max(1, Double(docs.reduce(0) { $0 + $1.count }) / n)
        let scores = docs.map { d -> Double in
            var tf: [String: Int] = [:]
            for t in d where query.contains(t) { tf[t, default: 0] += 1 }
            let norm = k1 * (1 - b + b * Double(d.count) / meanLength)
            return tf.reduce(0) { sum, e in
                let d = Double(df[e.key]!)
                let idf = log(1 + (n - d + 0.5) / (d + 0.5))
                return sum + idf * Double(e.value) * (k1 + 1) / (Double(e.value) + norm)
            }
        }
        let order = sentences.indices.sorted {
            (scores[$0], -sentences[$0].rank, -$0) > (scores[$1], -sentences[$1].rank, -$1)
        }
        return order.prefix(limit).sorted()
    }

    /// Lower-case words of at least three letters, less `stopwords`, cut to their first five.
    /// (The answerer's own word split, ``ExtractiveAnswerer/words(_:)``, then the filter and the cut.)
    static func stems(_ s: String, ignoring stopwords: Set<String> = []) -> [String] {
        ExtractiveAnswerer.words(s).compactMap { $0.count < 3 || stopwords.contains($0) ? nil : String($0.prefix(5)) }
    }
}
