import Foundation
import Logging
import LoreStore
import Metrics

/// The ingest-time half of the context rail: every chunk in the store is scanned once for
/// instructions aimed at the model, and the outcome is kept in `chunk_guard_scans`, so that
/// `lore stats`, `lore guard flagged` and the API can list the flagged chunks before any
/// question retrieves them. The classifier reads each chunk's stored vector (no forward
/// pass); chunks are scanned again when the detector changes (its version, derived from the
/// classifier file's and the structural data's hashes, is stored with each outcome). The
/// query-time rail still checks every passage it retrieves; this is for finding them ahead
/// of time.
public struct IngestScanner: Sendable {
    public var threshold: Double?
    let detector: InjectionDetector

    /// - Parameters:
    ///   - detector: the detector, with the collection's embedder (for hidden or decoded
    ///     text; a chunk stored without a vector is embedded too).
    ///   - threshold: the policy's, or nil for the classifier's own.
    public init(detector: InjectionDetector, threshold: Double? = nil) {
        self.detector = detector
        self.threshold = threshold
    }

    /// The version stored with each outcome.
    public var detectorVersion: String { detector.scanVersion }

    public struct Report: Sendable, Equatable {
        public var scanned: Int
        public var flagged: Int
        public var seconds: Double
    }

    /// Scans the chunks not yet scanned by this detector version, in batches of `batch`.
    public func scan(_ store: Store, batch: Int = 1_000, logger: Logger = Logger(label: "lore.guardrails")) async throws -> Report {
        let started = Date()
        let version = detectorVersion
        let limit = threshold ?? detector.threshold
        var scanned = 0, flagged = 0
        while true {
            let chunks = try store.chunksToScan(detector: version, limit: batch)
            guard !chunks.isEmpty else { break }
            var outcomes: [ChunkScan] = []
            outcomes.reserveCapacity(chunks.count)
            for c in chunks {
                let a = await detector.assess(c.text, vector: c.vector, source: .document)
                let hit = a.score >= limit
                outcomes.append(ChunkScan(chunkID: c.id, flagged: hit, score: a.score,
                                          rules: hit ? Array(Set(a.signals.filter { $0.weight >= limit }.map(\.rule))).sorted().joined(separator: ",") : ""))
            }
            try store.recordScans(outcomes, detector: version)
            scanned += outcomes.count
            for o in outcomes where o.flagged {
                flagged += 1
                logger.warning("chunk flagged for injected instructions", metadata: ["chunk_id": "\(o.chunkID)", "score": "\(String(format: "%.2f", o.score))", "rules": "\(o.rules)"])
            }
        }
        if flagged > 0 { Counter(label: "lore_guardrail_flagged_chunks_total").increment(by: flagged) }
        return Report(scanned: scanned, flagged: flagged, seconds: Date().timeIntervalSince(started))
    }
}
