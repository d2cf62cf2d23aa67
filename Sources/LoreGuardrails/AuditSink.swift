import Foundation
import Logging
import LoreStore
import Synchronization

/// Where guardrail findings are kept.
public protocol AuditSink: Sendable {
    func record(_ records: [AuditRecord])
    /// Marks chunks flagged in the store (the `quarantine` action), so that `lore guard
    /// flagged` lists them.
    func quarantine(_ scans: [ChunkScan], detector: String)
}

extension AuditSink {
    public func quarantine(_ scans: [ChunkScan], detector: String) {}
}

/// The audit trail in the store's `guard_audit` table, on a connection of its own (so that
/// writing a finding never waits on the retriever's). A failed write is logged, never
/// thrown: an answer is not lost because its audit row could not be written.
public final class StoreAuditSink: AuditSink, @unchecked Sendable {
    private let store: Store
    /// Serialises use of the store's connection.
    private let lock = Mutex(())
    private let logger: Logger

    public init(path: String, logger: Logger = Logger(label: "lore.guardrails")) throws {
        self.store = try Store(path: path)
        self.logger = logger
    }

    public func record(_ records: [AuditRecord]) {
        lock.withLock {
            do { try store.appendAudit(records) } catch {
                logger.error("could not write the guardrail audit", metadata: ["error": "\(error)", "records": "\(records.count)"])
            }
        }
    }

    public func quarantine(_ scans: [ChunkScan], detector: String) {
        lock.withLock {
            do { try store.recordScans(scans, detector: detector) } catch {
                logger.error("could not mark quarantined chunks", metadata: ["error": "\(error)", "chunks": "\(scans.count)"])
            }
        }
    }
}
