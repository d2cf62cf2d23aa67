import Foundation
import LoreOps
import LoreQuery
import LoreStore

extension LoreConfiguration {
    /// The file the request log is read from: `request_log.database`, else the store.
    var requestLogReadPath: String {
        if let database = requestLog.database, !database.isEmpty { return database }
        return database
    }

    func requestLogStore() throws -> Store {
        let path = requestLogReadPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure(description: "no request log at \(path): nothing has been answered with it yet")
        }
        return try Store(path: path)
    }
}

/// `lore requests list|show|prune`: the request log.
public enum RequestsCommand {
    /// The newest requests, one line each (a JSON array with `json`): of `collection`, of
    /// the last `days` days, rated `good` or `bad` (`rated`), at most `limit`.
    public static func list(collection: String?, days: Double?, rated: String?, limit: Int, json: Bool, config: LoreConfiguration) throws
        -> CommandOutput
    {
        guard rated == nil || ["good", "bad"].contains(rated!) else { throw UsageError("--rated must be good or bad, not \(rated!)") }
        if let days, !(days > 0) { throw UsageError("--days must be above 0, not \(days)") }
        guard limit >= 1 else { throw UsageError("--limit must be at least 1, not \(limit)") }
        let query = RequestLogQuery(
            collection: collection, since: days.map { Date().timeIntervalSince1970 - $0 * 86_400 }, rated: rated != nil,
            rating: rated.map { $0 == "good" ? 1 : -1 }, limit: limit)
        let records = try config.requestLogStore().requestRecords(query)
        var out = CommandOutput()
        if json {
            out.print(try CommandText.json(encoding: records))
            return out
        }
        if records.isEmpty { out.print("no requests logged" + (query.collection.map { " in collection \($0)" } ?? "")) }
        for r in records {
            let outcome = r.refused ? "refused" : r.finishReason
            let cost = r.cost.map { String(format: " cost %.6f", $0) } ?? ""
            out.print(
                "\(r.id)  \(time(r.at))  \(r.collection)  \(r.channel)  \(r.promptName)@\(r.promptVersion)  \(r.backend)  \(outcome)  "
                    + "\(Int((r.timings["total"] ?? 0).rounded())) ms  \(r.promptTokens + r.completionTokens) tokens\(cost)  "
                    + snippet(r.question, 60))
        }
        return out
    }

    /// One request in full, with its rating when it has one.
    public static func show(id: String, json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        let store = try config.requestLogStore()
        guard let r = try store.requestRecord(id: id) else {
            throw CommandFailure(description: "no request \(id) in the request log \(config.requestLogReadPath)")
        }
        let feedback = try store.feedback(requestID: id)
        var out = CommandOutput()
        if json {
            var object = try JSONSerialization.jsonObject(with: try CommandText.encoder().encode(r)) as! [String: Any]
            if let feedback { object["feedback"] = try JSONSerialization.jsonObject(with: try CommandText.encoder().encode(feedback)) }
            out.print(try CommandText.json(object))
            return out
        }
        out.print("request     \(r.id) at \(time(r.at))")
        out.print("collection  \(r.collection)" + (r.indexVersion.map { " (version \($0))" } ?? ""))
        out.print(
            "asked by    \(r.channel)" + (r.keyID.map { ", key \($0)" } ?? "") + (r.conversationID.map { ", conversation \($0)" } ?? ""))
        out.print("prompt      \(r.promptName)@\(r.promptVersion) (\(r.promptHash))")
        out.print("backend     \(r.backend)" + (r.model.isEmpty ? "" : ", model \(r.model)"))
        out.print("retrieval   " + r.retrieval.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        out.print("finish      \(r.finishReason)\(r.refused ? " (refused)" : "")")
        out.print(
            "tokens      \(r.promptTokens) prompt, \(r.completionTokens) completion"
                + (r.cost.map { String(format: ", cost %.6f", $0) } ?? ""))
        out.print(
            "timings ms  "
                + r.timings.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.1f", $0.value))" }.joined(separator: " "))
        if let trace = r.traceID { out.print("trace       \(trace)") }
        out.print("retrieved   \(r.retrievedChunks.map(String.init).joined(separator: ", "))")
        out.print("cited       \(r.citedSources.joined(separator: ", "))")
        out.print("\nquestion\n  \(r.question)")
        if r.standaloneQuestion != r.question { out.print("standalone\n  \(r.standaloneQuestion)") }
        out.print("answer\n  \(r.answer.replacingOccurrences(of: "\n", with: "\n  "))")
        if let f = feedback {
            out.print("\nfeedback    \(f.rating > 0 ? "good" : "bad") at \(time(f.at))" + (f.comment.map { ": \($0)" } ?? ""))
            if let a = f.expectedAnswer { out.print("expected    \(a)") }
            if !f.expectedSources.isEmpty { out.print("sources     \(f.expectedSources.joined(separator: ", "))") }
        }
        return out
    }

    /// Runs retention now (the server runs it every `request_log.prune_interval_s`).
    public static func prune(config: LoreConfiguration) throws -> CommandOutput {
        try config.requestLog.validate()
        let store = try config.requestLogStore()
        let deleted = try RequestLog.prune(store, settings: config.requestLog.writer)
        var out = CommandOutput()
        out.print("deleted \(deleted) request\(deleted == 1 ? "" : "s"); \(try store.requestCount()) left")
        return out
    }

    static func time(_ at: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: at))
    }

    static func snippet(_ text: String, _ limit: Int) -> String { QueryService.snippet(text, limit: limit) }
}

/// `lore feedback list|export`: users' ratings of answers.
public enum FeedbackCommand {
    /// Ratings, newest first.
    public static func list(collection: String?, limit: Int, json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        let rated = try config.requestLogStore().feedbackRecords(collection: collection, limit: limit)
        var out = CommandOutput()
        if json {
            let items = try rated.map { f, r -> [String: Any] in
                var o = try JSONSerialization.jsonObject(with: try CommandText.encoder().encode(f)) as! [String: Any]
                o["request"] = try JSONSerialization.jsonObject(with: try CommandText.encoder().encode(r))
                return o
            }
            out.print(try CommandText.json(items))
            return out
        }
        if rated.isEmpty { out.print("no feedback yet") }
        for (f, r) in rated {
            out.print(
                "\(r.id)  \(RequestsCommand.time(f.at))  \(f.rating > 0 ? "good" : "bad ")  \(r.promptName)@\(r.promptVersion)  \(r.backend)  "
                    + RequestsCommand.snippet(r.question, 60) + (f.comment.map { "  (\(RequestsCommand.snippet($0, 60)))" } ?? ""))
        }
        return out
    }

    /// Writes the ratings that say what a right answer holds as a golden set `lore eval`
    /// reads (`--as-eval-set FILE`).
    public static func export(file: String, collection: String?, config: LoreConfiguration) throws -> CommandOutput {
        let rated = try config.requestLogStore().feedbackRecords(collection: collection, limit: Int.max >> 1)
        let result = FeedbackExport.evalSet(rated)
        do { try FeedbackExport.jsonLines(result.questions).write(toFile: file, atomically: true, encoding: .utf8) } catch {
            throw CommandFailure(description: "--as-eval-set \(file): cannot write: \(error.localizedDescription)")
        }
        var out = CommandOutput()
        out.print(
            "wrote \(result.questions.count) question\(result.questions.count == 1 ? "" : "s") to \(file)"
                + " (\(result.skipped) rating\(result.skipped == 1 ? "" : "s") without an expected answer or sources left out)")
        return out
    }
}
