import Foundation
import LoreCore
import LoreEval
import LoreGuardrails
import LoreStore
import Metrics
import Synchronization

/// Users' ratings of logged answers: recorded beside the request log, counted in
/// `lore_feedback_total{rating, prompt_version, backend}`, and turned into golden-set lines
/// (`lore feedback export --as-eval-set`) so that a bad answer becomes a regression test.
public final class FeedbackBook: @unchecked Sendable {
    private let store: Store
    private let lock = Mutex(())
    private let log: RequestLog?
    private let redactor: @Sendable (String) -> String

    /// Ratings in the request log's store, on a connection of their own. A request still
    /// queued in `log` is written before it is looked up.
    public convenience init(log: RequestLog) throws {
        try self.init(path: log.path, log: log)
    }

    /// Ratings in the store at `path` (the CLI, with no writer running).
    public init(path: String, log: RequestLog? = nil) throws {
        store = try Store(path: path)
        self.log = log
        let detector = PIIDetector()
        redactor = { detector.redact($0).text }
    }

    /// What `rate` did.
    public struct Rated: Sendable {
        public var feedback: FeedbackRecord
        public var request: RequestRecord
        public var replaced: Bool
    }

    /// Records a rating (its comment and expected answer redacted) when request
    /// `feedback.requestID` is logged and `mayRate` accepts its collection; nil otherwise
    /// (unknown and foreign ids look the same).
    public func rate(_ feedback: FeedbackRecord, mayRate: (String) -> Bool) async throws -> Rated? {
        var request = try lock.withLock { _ in try store.requestRecord(id: feedback.requestID) }
        if request == nil, let log {
            // The answer may still be in the writer's queue.
            await log.flush()
            request = try lock.withLock { _ in try store.requestRecord(id: feedback.requestID) }
        }
        guard let request, mayRate(request.collection) else { return nil }
        var f = feedback
        f.comment = f.comment.map(redactor)
        f.expectedAnswer = f.expectedAnswer.map(redactor)
        let replaced = try lock.withLock { _ in
            let earlier = try store.feedback(requestID: f.requestID)
            try store.recordFeedback(f)
            return earlier != nil
        }
        Counter(
            label: "lore_feedback_total",
            dimensions: [("rating", f.rating > 0 ? "good" : "bad"), ("prompt_version", request.promptVersion), ("backend", request.backend)]
        ).increment()
        return Rated(feedback: f, request: request, replaced: replaced)
    }

    /// Ratings with their requests, newest first.
    public func list(collection: String? = nil, limit: Int = 1000) throws -> [(FeedbackRecord, RequestRecord)] {
        try lock.withLock { _ in try store.feedbackRecords(collection: collection, limit: limit) }
    }
}

/// Turns ratings into golden-set lines that `lore eval` reads (`EvalSet`).
public enum FeedbackExport {
    /// What the export kept and left out.
    public struct Result: Sendable {
        public var questions: [EvalQuestion]
        /// Ratings with nothing to test against (no expected answer or sources, and not a
        /// refusal rated good).
        public var skipped: Int
    }

    /// One line per rating that says what a right answer holds: an expected answer
    /// (`answers`) or expected sources (`sources`, by file name, as `lore eval` matches
    /// them). A refusal rated good becomes an unanswerable question. The question is the
    /// logged standalone question (redacted; a follow-up condensed, so it stands alone).
    public static func evalSet(_ rated: [(FeedbackRecord, RequestRecord)]) -> Result {
        var out: [EvalQuestion] = [], skipped = 0
        for (f, r) in rated.sorted(by: { $0.1.at < $1.1.at }) {
            let question = r.standaloneQuestion.isEmpty ? r.question : r.standaloneQuestion
            let sources = f.expectedSources.map { ($0 as NSString).lastPathComponent }
            if f.expectedAnswer != nil || !sources.isEmpty {
                out.append(
                    EvalQuestion(
                        id: "feedback-\(r.id)", question: question, answers: f.expectedAnswer.map { [$0] } ?? [], sources: sources,
                        answerable: true))
            } else if f.rating > 0, r.refused {
                out.append(EvalQuestion(id: "feedback-\(r.id)", question: question, answerable: false))
            } else {
                skipped += 1
            }
        }
        return Result(questions: out, skipped: skipped)
    }

    /// The set as JSON Lines.
    public static func jsonLines(_ questions: [EvalQuestion]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try questions.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
    }
}
