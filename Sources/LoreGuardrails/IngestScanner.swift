import Foundation
import Logging
import LoreStore
import Metrics
import Synchronization

/// The ingest-time half of the context rail: every chunk in the store is scanned once for
/// instructions aimed at the model, and the outcome is kept in `chunk_guard_scans`, so that
/// `lore stats`, `lore guard flagged` and the API can list the flagged chunks before any
/// question retrieves them. The classifier reads each chunk's stored vector (no forward
/// pass) and the chunk's windows (a sentence or a few each, embedded here once: an
/// instruction planted in a long chunk is averaged away in the chunk's own vector); chunks
/// are scanned again when the detector changes (its version, derived from the classifier
/// file's and the structural data's hashes, is stored with each outcome). The query-time
/// rail checks every passage it retrieves again, with the stored vector, and reads the
/// windows' verdict from here (``StoredScans``).
public struct IngestScanner: Sendable {
    public var threshold: Double?
    /// Whether each chunk's windows are classified too (`guardrails.context.scan_windows`).
    public var windows: Bool
    let detector: InjectionDetector

    /// - Parameters:
    ///   - detector: the detector, with the collection's embedder (for hidden or decoded
    ///     text; a chunk stored without a vector is embedded too).
    ///   - threshold: the policy's, or nil for the classifier's own.
    ///   - windows: classify each chunk's windows too.
    public init(detector: InjectionDetector, threshold: Double? = nil, windows: Bool = true) {
        self.detector = detector
        self.threshold = threshold
        self.windows = windows
    }

    /// The version stored with each outcome (a scan without windows is another version).
    public var detectorVersion: String { detector.scanVersion + (windows ? "" : "-whole") }

    public struct Report: Sendable, Equatable {
        public var scanned: Int
        public var flagged: Int
        public var seconds: Double
    }

    /// Scans the chunks not yet scanned by this detector version, in batches of `batch`.
    /// Throws a ``GuardrailError`` when the embedder fails; the chunks of the failed batch and after
    /// it are left unscanned (the next scan takes them), and none is recorded on the
    /// structural checks alone.
    public func scan(_ store: Store, batch: Int = 1_000, logger: Logger = Logger(label: "lore.guardrails")) async throws -> Report {
        let started = Date()
        let version = detectorVersion
        let limit = threshold ?? detector.threshold
        var scanned = 0, flagged = 0
        while true {
            let chunks = try store.chunksToScan(detector: version, limit: batch)
            guard !chunks.isEmpty else { break }
            // The batch's chunks are assessed together: their windows go to the embedder in
            // one call, sorted by length and run on every core (one chunk's few windows at a
            // time left a core idle: the scan took as long as embedding the chunks).
            // A failed embedding records nothing: the batch stays unscanned for the next run,
            // rather than marked clean on the structural checks alone.
            let assessments: [InjectionAssessment]
            do {
                assessments = try await detector.assessOrThrow(chunks.map { ($0.text, $0.vector) }, source: .document, windows: windows)
            } catch {
                Counter(label: "lore_guardrail_scan_failures_total").increment()
                logger.error(
                    "injection scan stopped: embedding failed", metadata: ["chunks": "\(chunks.count)", "error": "\(error)"])
                throw GuardrailError(
                    "the injection scan could not embed \(chunks.count) chunks' text (\(error)); \(scanned) were scanned before, the rest stay unscanned until the next scan"
                )
            }
            let outcomes = zip(chunks, assessments).map { c, a in
                let hit = a.score >= limit
                return ChunkScan(
                    chunkID: c.id, flagged: hit, score: a.score,
                    rules: hit ? Array(Set(a.signals.filter { $0.weight >= limit }.map(\.rule))).sorted().joined(separator: ",") : "")
            }
            try store.recordScans(outcomes, detector: version)
            scanned += outcomes.count
            for o in outcomes where o.flagged {
                flagged += 1
                logger.warning(
                    "chunk flagged for injected instructions",
                    metadata: ["chunk_id": "\(o.chunkID)", "score": "\(String(format: "%.2f", o.score))", "rules": "\(o.rules)"])
            }
        }
        if flagged > 0 { Counter(label: "lore_guardrail_flagged_chunks_total").increment(by: flagged) }
        return Report(scanned: scanned, flagged: flagged, seconds: Date().timeIntervalSince(started))
    }
}

/// The ingest-time scan's outcomes as the query-time context rail reads them: which
/// retrieved chunks the windows of the scan flagged (their embeddings are not computed again
/// for each question). Reads on a connection of its own.
public final class StoredScans: @unchecked Sendable {
    private let store: Store
    /// Serialises use of the store's connection.
    private let lock = Mutex(())
    private let logger: Logger

    public init(path: String, logger: Logger = Logger(label: "lore.guardrails")) throws {
        self.store = try Store(path: path, readOnly: true)
        self.logger = logger
    }

    /// The outcomes `detector` stored for these chunks; none when they cannot be read (logged).
    public func outcomes(_ chunkIDs: [Int64], detector: String) -> [ChunkScan] {
        lock.withLock {
            do { return try store.scans(of: chunkIDs, detector: detector) } catch {
                logger.error("could not read the ingest-time scan outcomes", metadata: ["error": "\(error)"])
                return []
            }
        }
    }
}
