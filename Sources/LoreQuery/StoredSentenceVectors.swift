import Foundation
import Logging
import LoreCore
import LoreStore
import Synchronization

/// Where the extractive answerer finds sentence vectors computed before the question came.
public protocol SentenceVectorSource: Sendable {
    /// The vector of each sentence made by `model` with `dimension` dimensions (nil where
    /// none is known).
    func vectors(model: String, dimension: Int, for sentences: [String]) -> [[Float]?]
}

/// The sentence vectors `SentenceVectorPass` stored at ingest, read by SHA-256 of the
/// sentence's text on a read-only connection of their own. A store written before they
/// existed (or unreadable) yields none: the answerer embeds the sentences itself, as it did.
public final class StoredSentenceVectors: SentenceVectorSource, @unchecked Sendable {
    private let store: Store
    /// Serialises use of the connection; nil once reading failed (logged once).
    private let state = Mutex(true)
    private let logger: Logger

    public init(path: String, logger: Logger = Logger(label: "lore.query")) throws {
        self.store = try Store(path: path, readOnly: true)
        self.logger = logger
    }

    public func vectors(model: String, dimension: Int, for sentences: [String]) -> [[Float]?] {
        guard !sentences.isEmpty else { return [] }
        let hashes = sentences.map { SHA256.hex(of: Array($0.utf8)) }
        let found: [String: [Float]] = state.withLock { readable in
            guard readable else { return [:] }
            do { return try store.sentenceVectors(model: model, textHashes: hashes) } catch {
                readable = false
                logger.warning(
                    "sentence vectors stored at ingest cannot be read; sentences are embedded per question",
                    metadata: ["error": "\(error)"])
                return [:]
            }
        }
        return hashes.map { h in found[h].flatMap { $0.count == dimension ? $0 : nil } }
    }
}
