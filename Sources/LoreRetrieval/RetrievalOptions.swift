import LoreStore

/// Which candidate lists retrieval uses.
public enum RetrievalMode: String, Sendable, CaseIterable, Codable {
    /// Dense and lexical candidates fused by reciprocal rank fusion (the default).
    case hybrid
    /// The vector index only.
    case dense
    /// FTS5 BM25 only.
    case lexical
}

/// How one retrieval runs. The defaults are Lore's defaults.
public struct RetrievalOptions: Sendable, Equatable {
    public var mode: RetrievalMode = .hybrid
    /// Passages returned (after MMR and merging there may be fewer).
    public var k = 5
    /// Candidates taken from each list before fusion and MMR.
    public var fetchK = 20
    /// MMR trade-off: 1 ranks by relevance alone, 0 by diversity alone.
    public var lambda = 0.5
    /// Whether MMR reorders the candidates (off: the top `k` by fused score).
    public var mmr = true
    /// The RRF constant: a list's rank r contributes weight / (rrfK + r).
    public var rrfK = 60.0
    public var denseWeight = 1.0
    /// BM25's list counts half as much again as the vector index's: on the public SQLite
    /// set's tuning half (odd ids) MRR@10 rose 0.890 -> 0.907, and on the held-out half
    /// 0.792 -> 0.850 (docs/BENCHMARKS.md, "lore eval").
    public var lexicalWeight = 1.5
    /// Cosine similarity between the question and the best passage below which the
    /// context counts as insufficient (the answer becomes "I don't know").
    public var minRelevance = 0.35
    /// Candidates less similar to the question than this never reach the context (MMR
    /// would otherwise favour them for being different from what it already picked).
    public var candidateFloor = 0.2
    /// Whether a name in the question that the collection never mentions (a proper noun,
    /// an acronym, a code identifier; see `QuestionName`) is checked at all. An unknown name
    /// is a signal, not a verdict: the question is refused only when the name is its
    /// subject, that is when the question without the name has too few words left, or is
    /// no longer close to any retrieved passage (`nameContextRelevance`). A colleague's
    /// name or the user's own stack ("our Laravel app") is context and never refuses.
    public var requireNames = true
    /// The cosine similarity that the question with its unknown names taken out must reach
    /// on some retrieved passage for names of tools, companies or products to count as
    /// context rather than subject (and it must keep 0.85 of the question's meaning).
    public var nameContextRelevance = 0.7
    /// The same for names that are all people's (`PersonNames`): a person the documents
    /// never mention is never what a question asks about.
    public var personContextRelevance = 0.4
    /// Lexical search leaves out words found in more than this share of the chunks when the
    /// question has rarer ones (1 keeps every word). The default, 0.1, keeps FTS5 fast
    /// (8.9 -> 3.1 ms p50 on the SQLite docs); 1 ranked better on the held-out SQLite set
    /// (recall@5 0.779 -> 0.868) at a few milliseconds more (docs/BENCHMARKS.md).
    public var commonTermShare = TermStatistics.defaultCommonShare
    /// Metadata conditions applied before ranking.
    public var filter = ChunkFilter()
    /// HNSW candidate list for this search (nil: the index's setting).
    public var efSearch: Int?

    public init() {}

    /// Checks every value, naming the parameter.
    public func validate() throws {
        guard (1...100).contains(k) else { throw RetrievalError("k must be between 1 and 100, got \(k)") }
        guard (1...1000).contains(fetchK) else { throw RetrievalError("fetch_k must be between 1 and 1000, got \(fetchK)") }
        guard fetchK >= k else { throw RetrievalError("fetch_k (\(fetchK)) must be at least k (\(k))") }
        guard (0...1).contains(lambda) else { throw RetrievalError("lambda must be between 0 and 1, got \(lambda)") }
        guard rrfK > 0 else { throw RetrievalError("rrf_k must be positive, got \(rrfK)") }
        guard denseWeight >= 0, lexicalWeight >= 0, denseWeight + lexicalWeight > 0 else {
            throw RetrievalError("the RRF weights must be non-negative and not both zero (dense \(denseWeight), lexical \(lexicalWeight))")
        }
        guard (-1...1).contains(personContextRelevance) else {
            throw RetrievalError("person_context_relevance must be between -1 and 1, got \(personContextRelevance)")
        }
        guard (-1...1).contains(nameContextRelevance) else {
            throw RetrievalError("name_context_relevance must be between -1 and 1, got \(nameContextRelevance)")
        }
        guard (-1...1).contains(minRelevance) else { throw RetrievalError("min_relevance must be between -1 and 1, got \(minRelevance)") }
        guard commonTermShare > 0 && commonTermShare <= 1 else {
            throw RetrievalError("common_term_share must be in (0, 1], got \(commonTermShare)")
        }
        guard (-1...1).contains(candidateFloor) else {
            throw RetrievalError("candidate_floor must be between -1 and 1, got \(candidateFloor)")
        }
        if let ef = efSearch, !(1...10_000).contains(ef) { throw RetrievalError("ef_search must be between 1 and 10000, got \(ef)") }
    }
}

/// A retrieval that cannot run: a bad parameter, a missing index or embedder, a model
/// mismatch. The message names what is wrong.
public struct RetrievalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
