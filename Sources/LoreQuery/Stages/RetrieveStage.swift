import Foundation
import LoreRetrieval

/// Retrieves passages for the standalone question with the request's options, reusing the
/// question's vector when the input guard embedded the same text.
public struct RetrieveStage: Sendable {
    public let retriever: Retriever

    public init(retriever: Retriever) { self.retriever = retriever }

    public func run(_ run: inout QueryRun) async throws -> RetrievalResult {
        let retrieved: RetrievalResult
        do {
            retrieved = try await retriever.retrieve(
                run.standalone, options: run.request.retrieval, requestID: run.requestID,
                queryVector: run.standalone == run.question ? run.questionVector : nil)
        } catch let e as RetrievalError {
            throw QueryError(.retrieval, e.description)
        }
        run.timings.embed += retrieved.timings.embed
        run.timings.retrieve = retrieved.timings.total
        run.retrievedChunks = retrieved.passages.flatMap(\.chunkIDs)
        return retrieved
    }
}
