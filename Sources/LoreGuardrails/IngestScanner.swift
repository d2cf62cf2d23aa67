import Foundation
import Logging
import LoreStore
import Metrics

/// The ingest-time half of the context rail: every chunk in the store is scanned once for
/// instructions aimed at the model, and the outcome is kept in `chunk_guard_scans`, so that
/// `lore stats`, `lore guard flagged` and the API can list the flagged chunks before any
/// question retrieves them. Chunks are scanned again when the detector changes (its
/// version is stored with each outcome). The query-time rail still checks every passage it
/// retrieves; this is for finding them ahead of time.
public struct IngestScanner: Sendable {
    /// Bumped whenever the detector's rules change, so stored outcomes are redone (2: the
    /// rules after tuning and generalisation, docs/BENCHMARKS.md).
    public static let detectorVersion = "injection-2"
    public var threshold: Double
    let detector = InjectionDetector()

    public init(threshold: Double = 0.5) { self.threshold = threshold }

    public struct Report: Sendable, Equatable {
        public var scanned: Int
        public var flagged: Int
        public var seconds: Double
    }

    /// Scans the chunks not yet scanned by this detector version, in batches of `batch`.
    public func scan(_ store: Store, batch: Int = 1_000, logger: Logger = Logger(label: "lore.guardrails")) throws -> Report {
        let started = Date()
        var scanned = 0, flagged = 0
        while true {
            let chunks = try store.chunksToScan(detector: Self.detectorVersion, limit: batch)
            guard !chunks.isEmpty else { break }
            let outcomes = chunks.map { c -> ChunkScan in
                let a = detector.assess(c.text, source: .document)
                let hit = a.score >= threshold
                return ChunkScan(chunkID: c.id, flagged: hit, score: a.score,
                                 rules: hit ? Array(Set(a.signals.map(\.rule))).sorted().joined(separator: ",") : "")
            }
            try store.recordScans(outcomes, detector: Self.detectorVersion)
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
