import Foundation
import LoreCore
import LoreQuery
import LoreRetrieval

/// Retrieval defaults (`retrieval:` in the configuration); flags override them per query.
public struct RetrievalSettings: Codable, Equatable, Sendable {
    /// `hybrid`, `dense` or `lexical`.
    public var mode = "hybrid"
    public var k = 5
    public var fetchK = 20
    /// MMR trade-off (1: relevance only).
    public var lambda = 0.5
    public var mmr = true
    public var rrfK = 60.0
    public var denseWeight = RetrievalOptions().denseWeight
    public var lexicalWeight = RetrievalOptions().lexicalWeight
    /// Below this cosine similarity of the best passage, Lore answers "I don't know".
    public var minRelevance = RetrievalOptions().minRelevance
    public var candidateFloor = RetrievalOptions().candidateFloor
    /// Refuse questions whose subject is a name the collection never mentions.
    public var requireNames = RetrievalOptions().requireNames
    /// How close the question without its unknown names must stay to a passage for the
    /// names to count as context (a colleague, the user's stack), not as its subject.
    public var nameContextRelevance = RetrievalOptions().nameContextRelevance
    /// The same for people's names (a colleague the documents never mention).
    public var personContextRelevance = RetrievalOptions().personContextRelevance
    /// Lexical search leaves out words in more than this share of the chunks (1: none).
    public var commonTermShare = RetrievalOptions().commonTermShare
    /// Megabytes of question vectors kept (exact text to vector, least recently used out;
    /// 0: none). About 1.6 KB a question with MiniLM: 16 MB holds about 10,000.
    public var queryCacheMB = 16.0

    public enum CodingKeys: String, CodingKey {
        case mode, k, fetchK = "fetch_k", lambda, mmr, rrfK = "rrf_k", denseWeight = "dense_weight"
        case lexicalWeight = "lexical_weight", minRelevance = "min_relevance", candidateFloor = "candidate_floor"
        case requireNames = "require_names", commonTermShare = "common_term_share", nameContextRelevance = "name_context_relevance"
        case personContextRelevance = "person_context_relevance", queryCacheMB = "query_cache_mb"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(String.self, forKey: .mode) ?? d.mode
        k = try c.decodeIfPresent(Int.self, forKey: .k) ?? d.k
        fetchK = try c.decodeIfPresent(Int.self, forKey: .fetchK) ?? d.fetchK
        lambda = try c.decodeIfPresent(Double.self, forKey: .lambda) ?? d.lambda
        mmr = try c.decodeIfPresent(Bool.self, forKey: .mmr) ?? d.mmr
        rrfK = try c.decodeIfPresent(Double.self, forKey: .rrfK) ?? d.rrfK
        denseWeight = try c.decodeIfPresent(Double.self, forKey: .denseWeight) ?? d.denseWeight
        lexicalWeight = try c.decodeIfPresent(Double.self, forKey: .lexicalWeight) ?? d.lexicalWeight
        minRelevance = try c.decodeIfPresent(Double.self, forKey: .minRelevance) ?? d.minRelevance
        candidateFloor = try c.decodeIfPresent(Double.self, forKey: .candidateFloor) ?? d.candidateFloor
        requireNames = try c.decodeIfPresent(Bool.self, forKey: .requireNames) ?? d.requireNames
        nameContextRelevance = try c.decodeIfPresent(Double.self, forKey: .nameContextRelevance) ?? d.nameContextRelevance
        personContextRelevance = try c.decodeIfPresent(Double.self, forKey: .personContextRelevance) ?? d.personContextRelevance
        commonTermShare = try c.decodeIfPresent(Double.self, forKey: .commonTermShare) ?? d.commonTermShare
        queryCacheMB = try c.decodeIfPresent(Double.self, forKey: .queryCacheMB) ?? d.queryCacheMB
    }

    /// The options these settings describe, validated (errors name the `retrieval.` key).
    public func options() throws -> RetrievalOptions {
        guard let m = RetrievalMode(rawValue: mode) else {
            throw ConfigurationError(description: "retrieval.mode must be hybrid, dense or lexical, not \(mode)")
        }
        var o = RetrievalOptions()
        o.mode = m
        o.k = k
        o.fetchK = fetchK
        o.lambda = lambda
        o.mmr = mmr
        o.rrfK = rrfK
        o.denseWeight = denseWeight
        o.lexicalWeight = lexicalWeight
        o.minRelevance = minRelevance
        o.candidateFloor = candidateFloor
        o.requireNames = requireNames
        o.nameContextRelevance = nameContextRelevance
        o.personContextRelevance = personContextRelevance
        o.commonTermShare = commonTermShare
        do { try o.validate() } catch { throw ConfigurationError(description: "retrieval.\(error)") }
        return o
    }

    /// The query-vector cache's budget in bytes, validated.
    public func queryCacheBytes() throws -> Int {
        guard queryCacheMB.isFinite, (0...65_536).contains(queryCacheMB) else {
            throw ConfigurationError(description: "retrieval.query_cache_mb must be between 0 and 65536, not \(queryCacheMB)")
        }
        return Int((queryCacheMB * 1_048_576).rounded())
    }

}

/// The embedded extractive answerer (`extractive:` in the configuration).
public struct ExtractiveSettings: Codable, Equatable, Sendable {
    /// The most sentences in an answer.
    public var maxSentences = 3
    /// Below this cosine similarity between the question and the best sentence it refuses.
    public var minSimilarity = 0.2
    /// Sentence vectors kept between answers (0: none); 20000 of MiniLM's are about 30 MB.
    public var sentenceCache = 20_000
    /// The most candidate sentences embedded for one answer, chosen first by BM25 against
    /// the question (0, the default: embed every candidate). See `Prefilter`: 16 answered one
    /// question fewer of the public and of the held-out SQLite sets, so it is not the default.
    public var embedLimit = 0
    /// When candidate sentences are embedded: `ingest` (each chunk's, once, stored beside its
    /// vector; a question embeds only itself) or `query` (when a question retrieves them).
    public var sentenceVectors = SentenceVectorMode.ingest

    /// When the extractive answerer's sentences are embedded.
    public enum SentenceVectorMode: String, Codable, Sendable, CaseIterable {
        case ingest, query
    }

    public enum CodingKeys: String, CodingKey {
        case maxSentences = "max_sentences", minSimilarity = "min_similarity", sentenceCache = "sentence_cache"
        case embedLimit = "embed_limit", sentenceVectors = "sentence_vectors"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxSentences = try c.decodeIfPresent(Int.self, forKey: .maxSentences) ?? d.maxSentences
        minSimilarity = try c.decodeIfPresent(Double.self, forKey: .minSimilarity) ?? d.minSimilarity
        sentenceCache = try c.decodeIfPresent(Int.self, forKey: .sentenceCache) ?? d.sentenceCache
        embedLimit = try c.decodeIfPresent(Int.self, forKey: .embedLimit) ?? d.embedLimit
        sentenceVectors = try c.decodeIfPresent(SentenceVectorMode.self, forKey: .sentenceVectors) ?? d.sentenceVectors
    }

    public func validate() throws {
        guard (1...20).contains(maxSentences) else {
            throw ConfigurationError(description: "extractive.max_sentences must be between 1 and 20, got \(maxSentences)")
        }
        guard (-1...1).contains(minSimilarity) else {
            throw ConfigurationError(description: "extractive.min_similarity must be between -1 and 1, got \(minSimilarity)")
        }
        guard (0...10_000_000).contains(sentenceCache) else {
            throw ConfigurationError(description: "extractive.sentence_cache must be between 0 and 10000000, got \(sentenceCache)")
        }
        guard (0...1000).contains(embedLimit) else {
            throw ConfigurationError(description: "extractive.embed_limit must be between 0 and 1000, got \(embedLimit)")
        }
    }
}

extension LoreConfiguration {
    /// Whether ingest stores the extractive answerer's sentence vectors: asked for
    /// (`extractive.sentence_vectors: ingest`), and the extractive answerer can answer here
    /// (it is the backend or the fallback).
    public var storesSentenceVectors: Bool {
        extractive.sentenceVectors == .ingest
            && (generation.backend == GenerationSettings.extractive || generation.fallback == GenerationSettings.extractive)
    }

    /// The embedder the ingest-time injection scan uses: where sentence vectors are stored,
    /// one that reads a window's vector when the window is a stored sentence (`embedder`
    /// itself otherwise, or when the store cannot be opened for reading).
    public func scanEmbedder(_ embedder: (any Embedder)?) -> (any Embedder)? {
        guard storesSentenceVectors, let embedder, let stored = try? StoredSentenceVectors(path: database) else { return embedder }
        return SentenceReusingEmbedder(embedder, stored: stored)
    }
}
