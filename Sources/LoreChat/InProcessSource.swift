import Foundation
import LoreCore
import LorePrompts
import LoreQuery
import LoreRetrieval
import LoreStore
import Synchronization

/// Answers with the query pipeline in this process: the same `QueryService` as
/// `lore query`, over one collection of the store.
public struct InProcessSource: AnswerSource {
    public let service: QueryService
    /// Retrieval defaults from the configuration; `/k` and `/mode` override them.
    public let defaults: RetrievalOptions
    public let label: String
    private let passages: PassageReader
    /// Records a rating in the request log (nil: the chat keeps no log); false when the
    /// request is not in it.
    private let rater: (@Sendable (_ requestID: String, _ rating: Int, _ comment: String?) async throws -> Bool)?

    /// `database` is opened a second time, read-only, for `/open` (the pipeline keeps its
    /// own connection).
    public init(
        service: QueryService, defaults: RetrievalOptions, database: String, collection: String, collectionID: Int64,
        rater: (@Sendable (_ requestID: String, _ rating: Int, _ comment: String?) async throws -> Bool)? = nil
    ) throws {
        self.rater = rater
        self.service = service
        self.defaults = defaults
        self.label = "in-process: \(database), collection \(collection)"
        self.passages = try PassageReader(path: database, collectionID: collectionID)
    }

    /// The request the pipeline gets for `query`.
    public func request(_ query: ChatQuery) -> QueryRequest {
        var options = defaults
        if let k = query.settings.k {
            options.k = k
            options.fetchK = max(options.fetchK, k)
        }
        if let mode = query.settings.mode { options.mode = mode }
        return QueryRequest(
            question: query.question, history: query.history, retrieval: options, prompt: query.settings.prompt,
            conversationID: query.conversationID, backend: query.settings.backend, stream: true,
            origin: RequestOrigin(channel: "chat"))
    }

    public func answer(_ query: ChatQuery) -> AsyncThrowingStream<QueryEvent, any Error> {
        let request = request(query)
        let service = service
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in service.run(request) { continuation.yield(event) }
                    continuation.finish()
                } catch let e as QueryError {
                    continuation.finish(throwing: ChatFailure(code: e.kind.rawValue, e.description))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func rate(requestID: String, rating: Int, comment: String?) async throws {
        guard let rater else { throw ChatFailure(code: "feedback", "this chat keeps no request log (request_log.enabled is false)") }
        guard try await rater(requestID, rating, comment) else {
            throw ChatFailure(code: "not_found", "request \(requestID) is not in the request log")
        }
    }

    public func passageText(_ citation: Citation, standaloneQuestion: String, settings: ChatSettings) async throws -> String {
        try passages.text(chunkIDs: citation.chunkIDs.isEmpty ? [citation.chunkID] : citation.chunkIDs)
    }

    public func check(_ settings: ChatSettings) async throws {
        if let backend = settings.backend, service.generators[backend] == nil {
            throw ChatFailure(
                code: "backend", "unknown backend \(backend); configured are \(service.generators.keys.sorted().joined(separator: ", "))")
        }
        if let prompt = settings.prompt {
            do {
                let template = try service.prompts.select(prompt)
                guard template.name == KnownPrompts.answer else {
                    throw ChatFailure(code: "prompt", "\(prompt) is not an answer template")
                }
            } catch let e as ChatFailure { throw e } catch {
                throw ChatFailure(code: "prompt", "\(error)")
            }
        }
        if let k = settings.k {
            var options = defaults
            options.k = k
            options.fetchK = max(options.fetchK, k)
            do { try options.validate() } catch { throw ChatFailure(code: "k", "\(error)") }
        }
        if let mode = settings.mode, mode != .lexical, service.retriever.index == nil {
            throw ChatFailure(code: "mode", "the collection has no vectors; only lexical works")
        }
    }
}

/// The chunks of a passage, read from the store on a connection of its own.
final class PassageReader: @unchecked Sendable {
    private let store: Store
    private let collectionID: Int64
    /// Serialises use of the store's connection.
    private let lock = Mutex(())

    init(path: String, collectionID: Int64) throws {
        store = try Store(path: path, readOnly: true)
        self.collectionID = collectionID
    }

    /// The chunks' texts in document order; the overlap a chunk repeats from the one before
    /// it is left out.
    func text(chunkIDs: [Int64]) throws -> String {
        let records = try lock.withLock { try store.chunkRecords(chunkIDs, collectionID: collectionID, vectors: false) }
        let ordered = records.values.sorted { ($0.documentID, $0.range.lowerBound) < ($1.documentID, $1.range.lowerBound) }
        guard !ordered.isEmpty else {
            throw ChatFailure(code: "not_found", "the passage's chunks are no longer in the store (re-ingested?)")
        }
        var out = ""
        var previous: ChunkRecord? = nil
        for r in ordered {
            var text = Substring(r.text)
            if let p = previous, p.documentID == r.documentID, r.range.lowerBound < p.range.upperBound {
                let overlap = p.range.upperBound - r.range.lowerBound
                let utf8 = r.text.utf8
                if overlap < utf8.count, let cut = utf8.index(utf8.startIndex, offsetBy: overlap, limitedBy: utf8.endIndex),
                    let index = cut.samePosition(in: r.text)
                {
                    text = r.text[index...]
                }
            } else if previous != nil {
                out += "\n\n"
            }
            out += text
            previous = r
        }
        return out
    }
}
