import Foundation
import Logging
import LoreCore
import LoreStore
import Metrics

/// The ingest-time half of the extractive answerer: every chunk's candidate sentences
/// (`ExtractiveAnswerer.candidateSentences`) are embedded once, at ingest, and stored
/// (float16, by the SHA-256 of their text), so that answering a question embeds only the
/// question. Incremental like the injection scan: it takes the collection's chunks not yet
/// done for this model and these rules, a batch at a time, each batch one transaction (a
/// `kill -9` loses at most the batch in flight, which the next run does); a sentence
/// already stored (another chunk's, an unchanged one's) is not embedded again.
public struct SentenceVectorPass: Sendable {
    public let embedder: any Embedder
    public var batch: Int

    public init(embedder: any Embedder, batch: Int = 500) {
        self.embedder = embedder
        self.batch = max(1, batch)
    }

    /// What a pass did.
    public struct Report: Sendable, Equatable {
        /// Chunks whose sentences were done by this pass.
        public var chunks = 0
        /// Candidate sentences of those chunks (repeats included).
        public var sentences = 0
        /// Sentences embedded by this pass (the rest were stored already).
        public var embedded = 0
        public var seconds = 0.0
    }

    /// Does the collection's chunks not yet done. Throws when the embedder fails; the
    /// batches before are kept.
    public func run(_ store: Store, collectionID: Int64, logger: Logger = Logger(label: "lore.ingest")) async throws -> Report {
        let started = ContinuousClock.now
        var report = Report()
        let model = embedder.modelID
        let rules = ExtractiveAnswerer.candidateRules
        while true {
            let chunks = try store.chunksWithoutSentenceVectors(collectionID: collectionID, model: model, rules: rules, limit: batch)
            guard !chunks.isEmpty else { break }
            var counts: [(id: Int64, sentences: Int)] = []
            var texts: [String: String] = [:]
            for c in chunks {
                let sentences = ExtractiveAnswerer.candidateSentences(c.text)
                counts.append((c.id, sentences.count))
                for s in sentences { texts[SHA256.hex(of: Array(s.utf8))] = s }
                report.sentences += sentences.count
            }
            let stored = try store.sentenceVectors(model: model, textHashes: Array(texts.keys))
            let missing = texts.filter { stored[$0.key] == nil }.sorted { $0.key < $1.key }
            var fresh: [(textHash: String, vector: [Float])] = []
            if !missing.isEmpty {
                let vectors = try await embedder.embed(missing.map(\.value))
                guard vectors.count == missing.count, vectors.allSatisfy({ $0.count == embedder.dimension }) else {
                    throw SentenceVectorError(
                        description:
                            "the embedder returned \(vectors.count) vectors for \(missing.count) sentences"
                            + " (wanted \(embedder.dimension) dimensions each)")
                }
                fresh = zip(missing, vectors).map { ($0.key, $1) }
            }
            try store.recordSentenceVectors(model: model, rules: rules, vectors: fresh, chunks: counts)
            report.chunks += chunks.count
            report.embedded += fresh.count
            Counter(label: "lore_ingest_sentence_vectors_total").increment(by: fresh.count)
        }
        report.seconds = (ContinuousClock.now - started).seconds
        if report.chunks > 0 {
            logger.info(
                "sentence vectors stored for the extractive answerer",
                metadata: [
                    "chunks": "\(report.chunks)", "sentences": "\(report.sentences)", "embedded": "\(report.embedded)",
                    "seconds": "\(String(format: "%.1f", report.seconds))"
                ])
        }
        return report
    }
}

/// Why the sentence-vector pass stopped.
public struct SentenceVectorError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
