import Foundation
import Logging
import LoreCore
import LoreIndex
import LoreStore
import Metrics
import Synchronization

/// What one retrieval found, and how long each stage took.
public struct RetrievalResult: Sendable {
    /// The passages, best first (after MMR and merging).
    public var passages: [Passage]
    /// The question's embedding (nil in lexical mode without an embedder).
    public var queryVector: [Float]?
    /// Whether the best passage is relevant enough to answer from (see `minRelevance`).
    public var sufficient: Bool
    /// The best passage's cosine similarity to the question (nil without vectors).
    public var bestRelevance: Double?
    /// Names in the question that no chunk of the collection mentions and that are its
    /// subject (with `requireNames` they make the context insufficient).
    public var unknownNames: [String] = []
    /// Names the collection never mentions that were judged context, not subject (the
    /// question without them still matches a passage): they refuse nothing.
    public var contextNames: [String] = []
    /// Candidates from each list, and after fusion.
    public var denseCandidates: Int
    public var lexicalCandidates: Int
    public var fusedCandidates: Int
    /// Chunks the filter allows (nil without a filter).
    public var filteredTo: Int?
    public var timings: Timings

    /// Milliseconds per stage.
    public struct Timings: Sendable, Equatable, Codable {
        public var embed = 0.0
        public var dense = 0.0
        public var lexical = 0.0
        /// Loading the candidates' texts and vectors.
        public var fetch = 0.0
        /// Fusion, MMR and merging.
        public var rank = 0.0
        public var total = 0.0
    }
}

/// Hybrid retrieval over one collection: the question is embedded once; the vector index
/// and FTS5 each give `fetchK` candidates (restricted by the filter before ranking); RRF
/// fuses them; MMR picks `k` over their stored vectors; overlapping chunks are merged.
///
/// Safe to call from several tasks: store access is serialised (one SQLite connection).
public final class Retriever: @unchecked Sendable {
    public let store: Store
    public let collectionID: Int64
    /// The collection's loaded index (nil: the collection has no vectors; lexical only).
    public let index: LoadedIndex?
    /// Embeds questions; must be the collection's model.
    public let embedder: (any Embedder)?
    /// Serialises use of the store's one connection.
    private let lock = Mutex(())
    private let logger: Logger

    /// - Throws: `RetrievalError` when the embedder is not the model the collection was
    ///   embedded with (its vectors would be meaningless to compare).
    public init(
        store: Store, collectionID: Int64, index: LoadedIndex?, embedder: (any Embedder)?,
        logger: Logger = Logger(label: "lore.retrieval")
    ) throws {
        if let index, let embedder, embedder.modelID != index.model.id || embedder.dimension != index.model.dimension {
            throw RetrievalError(
                "the collection was embedded with \(index.model.id) (\(index.model.dimension) dimensions), but the query embedder is \(embedder.modelID) (\(embedder.dimension) dimensions): query with the same embedder, or switch the collection with lore reindex"
            )
        }
        self.store = store
        self.collectionID = collectionID
        self.index = index
        self.embedder = embedder
        self.logger = logger
    }

    /// Retrieves passages for `question`. `queryVector`, when given, is the question's
    /// embedding by this retriever's embedder (computed earlier by the caller), so the
    /// question is not embedded twice.
    public func retrieve(
        _ question: String, options: RetrievalOptions = RetrievalOptions(), requestID: String = "",
        queryVector given: [Float]? = nil
    ) async throws -> RetrievalResult {
        try options.validate()
        let started = DispatchTime.now()
        var timings = RetrievalResult.Timings()
        let useDense = options.mode != .lexical
        let useLexical = options.mode != .dense
        if useDense {
            guard index != nil else {
                throw RetrievalError(
                    "\(options.mode.rawValue) retrieval needs vectors, and this collection has none: ingest with an embedder, or use --mode lexical"
                )
            }
            guard embedder != nil else {
                throw RetrievalError("\(options.mode.rawValue) retrieval needs an embedder (the configured embedder is none)")
            }
        }

        // The lexical search (and the filter's allow-set) need no embedding: they run on
        // another thread while the question is embedded and the index searched.
        let collectionID = self.collectionID
        let filter = options.filter, fetchK = options.fetchK, commonShare = options.commonTermShare
        let needAllow = useDense && !filter.isEmpty
        // The names the collection never mentions are looked up on the same thread.
        let names = options.requireNames ? QuestionName.extract(question) : []
        let lexicalSpan = useLexical ? Tracing.begin("lexical_search", attributes: [("lore.fetch_k", .int(Int64(fetchK)))]) : nil
        async let sideTask: (AllowSet?, [LexicalHit], Double, [String]) = Self.offThread {
            try self.lock.withLock {
                let allow = needAllow ? try self.store.chunkIDs(collectionID: collectionID, matching: filter) : nil
                let t = DispatchTime.now()
                let lexical =
                    useLexical
                    ? try self.store.lexicalSearch(
                        collectionID: collectionID, text: question, limit: fetchK, filter: filter, commonShare: commonShare) : []
                lexicalSpan?.set("lore.hits", lexical.count)
                lexicalSpan?.end()
                let unknown = names.isEmpty ? [] : try self.store.unknownNames(names, collectionID: collectionID).map(\.text)
                return (allow, lexical, Self.ms(since: t), unknown)
            }
        }

        var queryVector: [Float]? = nil
        if let given, given.count == embedder?.dimension, index != nil {
            queryVector = given
        } else if let embedder, index != nil {
            let t = DispatchTime.now()
            let span = Tracing.beginEmbedding(model: embedder.modelID)
            queryVector = try await embedder.embed([question]).first
            span?.end()
            timings.embed = Self.ms(since: t)
        }
        let (allow, lexical, lexicalMs, unknown) = try await sideTask
        timings.lexical = lexicalMs
        var dense: [SearchHit] = []
        if useDense, let loaded = index, let q = queryVector {
            let t = DispatchTime.now()
            let span = Tracing.begin("dense_search", attributes: [("lore.fetch_k", .int(Int64(options.fetchK)))])
            dense = loaded.index.search(q, k: options.fetchK, ef: options.efSearch, allow: allow)
            span?.set("lore.hits", dense.count)
            if let allow { span?.set("lore.filter.allowed", allow.count) }
            span?.end()
            timings.dense = Self.ms(since: t)
        }
        let allowCount = allow?.count
        let fetched = DispatchTime.now()
        var ids = dense.map(\.label)
        var seen = Set(ids)
        for h in lexical where seen.insert(h.chunkID).inserted { ids.append(h.chunkID) }
        let records = try lock.withLock { try self.store.chunkRecords(ids, collectionID: collectionID, vectors: queryVector != nil) }
        timings.fetch = Self.ms(since: fetched)

        let t = DispatchTime.now()
        let fusionSpan = Tracing.begin("fusion", attributes: [("lore.rrf_k", .double(options.rrfK))])
        var lists: [[Int64]] = [], weights: [Double] = []
        if useDense { lists.append(dense.map(\.label)); weights.append(options.denseWeight) }
        if useLexical { lists.append(lexical.map(\.chunkID)); weights.append(options.lexicalWeight) }
        let fused = RankFusion.fuse(lists, weights: weights, k: options.rrfK).filter { records[$0.id] != nil }

        var candidates: [Passage] = fused.map { f in
            let r = records[f.id]!
            let relevance: Double? = queryVector.flatMap { q in r.vector.map { Double(MMR.dot(q, $0)) } }
            return Passage(
                chunkIDs: [r.id], documentID: r.documentID, source: r.source, title: r.title, format: r.format,
                headingPath: r.headingPath, text: r.text, range: r.range, page: r.page, score: f.score,
                relevance: relevance, denseRank: useDense ? f.ranks[0] : nil,
                lexicalRank: useLexical ? f.ranks[useDense ? 1 : 0] : nil, vector: r.vector)
        }
        // Candidates less similar to the question than the floor do not reach the context
        // (MMR would otherwise pick them for being different), unless none is left: then
        // they are the nearest sources a refusal names.
        if queryVector != nil {
            let relevant = candidates.filter { ($0.relevance ?? 1) >= options.candidateFloor }
            if !relevant.isEmpty { candidates = relevant }
        }
        fusionSpan?.set("lore.candidates", candidates.count)
        fusionSpan?.end()
        let chosen: [Passage]
        if options.mmr && candidates.count > 1 {
            let span = Tracing.begin("mmr", attributes: [("lore.mmr.lambda", .double(options.lambda))])
            defer { span?.end() }
            // Relevance for MMR: the fused score rescaled to [0, 1] over the candidates, so
            // that it is on the scale of the cosine similarities it is traded against.
            let scores = candidates.map(\.score)
            let lo = scores.min()!, hi = scores.max()!
            let relevance = scores.map { hi > lo ? ($0 - lo) / (hi - lo) : 1 }
            chosen = MMR.select(relevance: relevance, vectors: candidates.map(\.vector), k: options.k, lambda: options.lambda)
                .map { candidates[$0] }
        } else {
            candidates = Array(candidates.prefix(options.k))
            chosen = candidates
        }
        let passages = PassageMerger.merge(chosen)
        timings.rank += Self.ms(since: t)
        timings.total = Self.ms(since: started)

        let best = passages.compactMap(\.relevance).max()
        var sufficient: Bool
        if let best { sufficient = best >= options.minRelevance } else { sufficient = !passages.isEmpty }
        // An unknown name refuses only when it is the question's subject.
        var subjectNames = unknown, contextNames: [String] = []
        var judgement: NameJudgement? = nil
        if !unknown.isEmpty, sufficient, let embedder, let queryVector {
            let t = DispatchTime.now()
            let rest = QuestionName.removing(unknown, from: question)
            var j = try await Self.judgeNames(
                rest: rest, question: queryVector, terms: LexicalQuery.searchTerms(rest).count,
                passages: passages, embedder: embedder)
            j.people = unknown.allSatisfy(PersonNames.isPerson)
            j.placed = unknown.allSatisfy { PersonNames.isPerson($0) || NamePlacement.isContext($0, in: question) }
            judgement = j
            if j.isContext(floor: options.nameContextRelevance, peopleFloor: options.personContextRelevance) {
                contextNames = unknown
                subjectNames = []
            }
            timings.embed += Self.ms(since: t)
        }
        if !subjectNames.isEmpty { sufficient = false }
        timings.total = Self.ms(since: started)
        var result = RetrievalResult(
            passages: passages, queryVector: queryVector, sufficient: sufficient, bestRelevance: best,
            denseCandidates: dense.count, lexicalCandidates: lexical.count, fusedCandidates: fused.count,
            filteredTo: allowCount, timings: timings)
        result.unknownNames = subjectNames
        result.contextNames = contextNames
        Self.record(result, mode: options.mode)
        logger.debug(
            "retrieved",
            metadata: [
                "request_id": "\(requestID)", "mode": "\(options.mode.rawValue)", "passages": "\(passages.count)",
                "dense": "\(dense.count)", "lexical": "\(lexical.count)",
                "best_relevance": "\(best.map { String(format: "%.3f", $0) } ?? "-")",
                "sufficient": "\(sufficient)", "unknown_names": "\(subjectNames.joined(separator: ","))",
                "context_names": "\(contextNames.joined(separator: ","))",
                "names_judgement": "\(judgement.map { "\($0)" } ?? "-")", "ms": "\(String(format: "%.2f", timings.total))"
            ])
        return result
    }

    /// What tells a name that is context from one that is the question's subject.
    struct NameJudgement: Sendable, CustomStringConvertible {
        /// Search terms left once the names are taken out.
        var terms: Int
        /// The best cosine similarity of the question without the names to a retrieved passage.
        var relevance: Double
        /// The cosine similarity of the question with and without the names: how little
        /// of its meaning the names carry.
        var kept: Double
        /// Every name is a person's (`PersonNames`).
        var people = false
        /// Every name is a person's, or placed as context (`NamePlacement`).
        var placed = false

        /// People are never the subject, nor are names placed as context (in a statement
        /// before the question, or after "our"): the question without them only has to stay
        /// near a passage (`peopleFloor`). Other names (tools, companies, products) are context
        /// when the question without them reaches `floor` and keeps its meaning (cosine 0.85
        /// with the whole question), or reaches `floor` + 0.2 whatever it lost.
        func isContext(floor: Double, peopleFloor: Double) -> Bool {
            guard terms >= 2 else { return false }
            if people || placed { return relevance >= peopleFloor }
            return relevance >= floor && (kept >= 0.85 || relevance >= floor + 0.2)
        }

        var description: String {
            String(
                format: "terms=%d relevance=%.3f kept=%.3f people=%@ placed=%@", terms, relevance, kept, people ? "yes" : "no",
                placed ? "yes" : "no")
        }
    }

    /// The question with its unknown names taken out (`rest`), embedded and compared with the
    /// retrieved passages.
    static func judgeNames(
        rest: String, question: [Float], terms: Int, passages: [Passage],
        embedder: any Embedder
    ) async throws -> NameJudgement {
        guard terms >= 2, let v = try await embedder.embed([rest]).first else {
            return NameJudgement(terms: terms, relevance: -1, kept: 0)
        }
        let best = passages.compactMap { p in p.vector.map { Double(MMR.dot(v, $0)) } }.max() ?? -1
        return NameJudgement(terms: terms, relevance: best, kept: Double(MMR.dot(v, question)))
    }

    private static func record(_ r: RetrievalResult, mode: RetrievalMode) {
        let dims = [("mode", mode.rawValue)]
        Timer(label: "lore_retrieval_seconds", dimensions: dims).recordNanoseconds(Int64(r.timings.total * 1e6))
        Timer(label: "lore_embed_query_seconds").recordNanoseconds(Int64(r.timings.embed * 1e6))
        Counter(label: "lore_retrievals_total", dimensions: dims + [("sufficient", r.sufficient ? "true" : "false")]).increment()
    }

    /// Runs `body` on a global queue thread (SQLite calls block; keep them off the
    /// cooperative pool).
    static func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    static func ms(since t: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6 }
}
