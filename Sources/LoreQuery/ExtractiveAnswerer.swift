import Foundation
import LoreCore
import LoreRetrieval
import Metrics

/// The embedded answer writer: no LLM. It splits the numbered sources into sentences,
/// ranks them by cosine similarity to the question (with the collection's embedder, plus a
/// small bonus for sharing the question's words and for coming from a higher-ranked
/// source), and composes a short answer from the best of them, each cited `[n]`.
/// When no sentence is similar enough it says it does not know and names the nearest
/// sources. It honours `maxTokens` (as its length budget) and streams one sentence per delta.
///
/// Embedding every sentence of every source costs several times the retrieval. With
/// `embedLimit` > 0 and more candidates than that, it first ranks them without the model
/// (`Prefilter`: BM25 of each sentence against the question over the candidates, then
/// source rank) and embeds only the best `embedLimit`: faster, but the answers can differ.
public struct ExtractiveAnswerer: Generator {
    public let name: String
    public let embedder: any Embedder
    /// The most sentences in an answer.
    public var maxSentences: Int
    /// Below this cosine similarity between the question and the best sentence, it refuses.
    public var minSimilarity: Double
    /// Sentences at least this similar to one already chosen are skipped (repeats).
    public var duplicateSimilarity: Double
    /// Sentence vectors embedded for earlier answers (nil: embed every sentence every time).
    public let cache: SentenceVectorCache?
    /// The most candidate sentences embedded for one answer (0: every candidate).
    public var embedLimit: Int
    /// Sentence vectors computed at ingest (nil: none; every sentence the cache lacks is embedded).
    public let stored: (any SentenceVectorSource)?

    public init(
        embedder: any Embedder, name: String = "extractive", maxSentences: Int = 3, minSimilarity: Double = 0.2,
        duplicateSimilarity: Double = 0.92, cache: SentenceVectorCache? = nil, embedLimit: Int = 0,
        stored: (any SentenceVectorSource)? = nil
    ) {
        self.stored = stored
        self.name = name
        self.embedder = embedder
        self.maxSentences = maxSentences
        self.minSimilarity = minSimilarity
        self.duplicateSimilarity = duplicateSimilarity
        self.cache = cache
        self.embedLimit = max(0, embedLimit)
    }

    /// One candidate sentence.
    struct Candidate {
        var text: String
        var source: Int
        var rank: Int
        var similarity = 0.0
        var score = 0.0
        var vector: [Float] = []
    }

    public func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task(executorPreference: BackgroundExecutor.preferred) {
                do {
                    let started = Date()
                    let sentences = try await answer(request)
                    var first: Double? = nil
                    var text = ""
                    for (i, s) in sentences.enumerated() {
                        try Task.checkCancellation()
                        let piece = (i == 0 ? "" : " ") + s
                        if first == nil { first = Date().timeIntervalSince(started) }
                        text += piece
                        continuation.yield(.delta(piece))
                    }
                    let promptBytes = request.sources.reduce(request.question.utf8.count) { $0 + $1.text.utf8.count }
                    let usage = TokenUsage(
                        promptTokens: (promptBytes + 3) / 4, completionTokens: (text.utf8.count + 3) / 4, estimated: true)
                    continuation.yield(
                        .finished(
                            GenerationSummary(
                                backend: name, model: embedder.modelID, usage: usage,
                                finishReason: .stop, timeToFirstToken: first)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The question's vector, then each sentence's: the question's from retrieval when it
    /// was made by this model, the sentences' from the cache where it has them, else from
    /// the vectors stored at ingest, the rest embedded in one call.
    func vectors(question: String, known questionVector: [Float]?, sentences: [String]) async throws -> [[Float]] {
        var known = cache?.lookup(sentences) ?? Array(repeating: nil, count: sentences.count)
        if let stored, known.contains(where: { $0 == nil }) {
            let wanted = sentences.indices.filter { known[$0] == nil }
            let found = stored.vectors(model: embedder.modelID, dimension: embedder.dimension, for: wanted.map { sentences[$0] })
            var hits = 0
            for (k, i) in wanted.enumerated() {
                guard let v = found[k] else { continue }
                known[i] = v
                cache?.store(sentences[i], v)
                hits += 1
            }
            if hits > 0 { Counter(label: "lore_extractive_sentence_vectors_total", dimensions: [("result", "stored")]).increment(by: hits) }
        }
        let missing = sentences.indices.filter { known[$0] == nil }
        if !missing.isEmpty {
            Counter(label: "lore_extractive_sentence_vectors_total", dimensions: [("result", "embedded")]).increment(by: missing.count)
        }
        let texts = (questionVector == nil ? [question] : []) + missing.map { sentences[$0] }
        let fresh = texts.isEmpty ? [] : try await embedder.embed(texts)
        let offset = questionVector == nil ? 1 : 0
        var out = [questionVector ?? fresh[0]] + known.map { $0 ?? [] }
        for (k, i) in missing.enumerated() {
            out[i + 1] = fresh[k + offset]
            cache?.store(sentences[i], fresh[k + offset])
        }
        return out
    }

    /// The answer's sentences, each ending with its citation.
    func answer(_ request: GenerationRequest) async throws -> [String] {
        guard !request.sources.isEmpty else { return [Refusal.text(nearest: [])] }
        var candidates: [Candidate] = []
        for (rank, source) in request.sources.enumerated() {
            for s in Self.candidateSentences(source.text) {
                candidates.append(Candidate(text: s, source: source.number, rank: rank))
            }
        }
        guard !candidates.isEmpty else { return [Refusal.text(nearest: request.sources)] }
        let considered = candidates.count
        if embedLimit > 0, candidates.count > embedLimit {
            let keep = Prefilter.best(
                embedLimit, of: candidates.map { ($0.text, $0.rank) }, question: request.question,
                ignoring: Self.stopwords)
            candidates = keep.map { candidates[$0] }
        }
        Counter(label: "lore_extractive_sentences_total", dimensions: [("stage", "candidate")]).increment(by: considered)
        Counter(label: "lore_extractive_sentences_total", dimensions: [("stage", "embedded")])
            .increment(by: candidates.count)
        let reusable = request.questionModel == embedder.modelID && request.questionVector?.count == embedder.dimension
        let vectors = try await vectors(
            question: request.question, known: reusable ? request.questionVector : nil,
            sentences: candidates.map(\.text))
        let q = vectors[0]
        let questionTerms = Set(Self.words(request.question).filter { $0.count > 2 && !Self.stopwords.contains($0) })
        for i in candidates.indices {
            let v = vectors[i + 1]
            candidates[i].vector = v
            candidates[i].similarity = Double(MMR.dot(q, v))
            let terms = Set(Self.words(candidates[i].text))
            let overlap = questionTerms.isEmpty ? 0 : Double(questionTerms.intersection(terms).count) / Double(questionTerms.count)
            candidates[i].score = candidates[i].similarity + 0.15 * overlap - 0.02 * Double(candidates[i].rank)
        }
        let ranked = candidates.sorted { $0.score > $1.score }
        guard let best = ranked.first, best.similarity >= minSimilarity else {
            return [Refusal.text(nearest: request.sources)]
        }
        // Budget: maxTokens, counted as ~4 UTF-8 bytes per token.
        let budgetBytes = (request.parameters.maxTokens ?? 200) * 4
        var chosen: [Candidate] = []
        var bytes = 0
        for c in ranked where chosen.count < maxSentences {
            if c.similarity < minSimilarity || c.score < best.score - 0.25 { break }
            if chosen.contains(where: { Double(MMR.dot($0.vector, c.vector)) >= duplicateSimilarity }) { continue }
            let cost = c.text.utf8.count + 5
            if !chosen.isEmpty && bytes + cost > budgetBytes { continue }
            chosen.append(c)
            bytes += cost
        }
        return chosen.map { Self.cite($0.text, $0.source) }
    }

    /// The version of the rules below: sentence vectors computed at ingest are computed again
    /// when it changes (`SentenceVectorPass`).
    public static let candidateRules = "1"

    /// The sentences of a passage that can be part of an answer, in order: answer-like
    /// (`isAnswerLike`), not a fragment cut at the passage's start or end, at most 40.
    public static func candidateSentences(_ text: String) -> [String] {
        var out: [String] = []
        let sentences = SentenceSplitter.split(text)
        for (i, s) in sentences.enumerated() where Self.isAnswerLike(s) && out.count < 40 {
            // A chunk may start or end inside a sentence: leave out the fragments.
            if i == 0, let f = s.first, f.isLowercase { continue }
            if i == sentences.count - 1, let l = s.last, !".!?:)\"'".contains(l) { continue }
            out.append(s)
        }
        return out
    }

    /// `sentence [n].`: the citation goes before the closing punctuation.
    static func cite(_ sentence: String, _ n: Int) -> String {
        var s = sentence
        var end = ""
        if let last = s.last, ".!?:;".contains(last) {
            end = String(last == ":" || last == ";" ? "." : last)
            s.removeLast()
        } else {
            end = "."
        }
        return s + " [\(n)]" + end
    }

    /// Whether a sentence can carry an answer: enough words, mostly letters (not a menu,
    /// a rule line or a code fragment).
    static func isAnswerLike(_ s: String) -> Bool {
        let words = s.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count >= 4, s.utf8.count <= 1200 else { return false }
        let letters = s.unicodeScalars.filter { $0.properties.isAlphabetic || $0 == " " }.count
        return Double(letters) >= 0.7 * Double(s.unicodeScalars.count)
    }

    static func words(_ s: String) -> [String] {
        s.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    static let stopwords: Set<String> = [
        "the", "and", "for", "are", "was", "what", "when", "where", "which", "who", "how", "why", "does", "did", "can",
        "could", "should", "would", "will", "with", "from", "that", "this", "these", "those", "there", "their", "into",
        "about", "you", "your", "have", "has", "not", "use", "used"
    ]
}

/// The refusal Lore gives when the sources do not answer the question.
public enum Refusal {
    /// The fixed opening every refusal starts with (the evaluation and the guardrails look for it).
    public static let opening = "I don't know"

    /// - Parameter unknownNames: names in the question the collection never mentions; the
    ///   refusal says so, since that is why nothing answers it.
    public static func text(nearest: [ContextSource], unknownNames: [String] = []) -> String {
        let sources = nearest.prefix(3).map { s in
            let label = s.title.isEmpty ? s.source : s.title
            return "[\(s.number)] \(label)"
        }
        let nearestText = sources.isEmpty ? "" : " The nearest sources are \(sources.joined(separator: ", "))."
        if !unknownNames.isEmpty {
            let list = unknownNames.prefix(3).map { "\"\($0)\"" }
            let names = list.count == 1 ? list[0] : list.dropLast().joined(separator: ", ") + " or " + list.last!
            return "\(opening): the documents never mention \(names)." + nearestText
        }
        guard !nearest.isEmpty else { return "\(opening): no document in this collection matches the question." }
        return "\(opening): the documents do not seem to answer this." + nearestText
    }

    /// Whether `answer` is a refusal.
    public static func isRefusal(_ answer: String) -> Bool {
        answer.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix(opening.lowercased())
    }
}
