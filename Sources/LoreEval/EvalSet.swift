import Foundation
import LoreCore

/// One golden question: `{"id", "question", "answers": [...], "sources": [file names],
/// "answerable": true|false}` (the format of `../shared/eval/sqlite-docs-qa.jsonl`). A
/// cited document matches a source when its file name equals it.
public struct EvalQuestion: Sendable, Equatable, Codable {
    public var id: String
    public var question: String
    public var answers: [String]
    public var sources: [String]
    public var answerable: Bool

    public init(id: String, question: String, answers: [String] = [], sources: [String] = [], answerable: Bool = true) {
        self.id = id
        self.question = question
        self.answers = answers
        self.sources = sources
        self.answerable = answerable
    }
}

/// Why an evaluation set or option was refused.
public struct EvalError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum EvalSet {
    /// Reads a JSON Lines set; an error names the file, the line and the field.
    public static func load(_ path: String) throws -> [EvalQuestion] {
        let lines: [(line: Int, object: [String: Any])]
        do { lines = try JSONLines.objects(path) } catch { throw EvalError("--set \(error)") }
        var out: [EvalQuestion] = []
        var ids = Set<String>()
        for (n, o) in lines {
            let at = "\(path):\(n)"
            guard let question = o["question"] as? String, !question.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw EvalError("\(at): question: missing or empty")
            }
            let id = (o["id"] as? String) ?? "line-\(n)"
            guard ids.insert(id).inserted else { throw EvalError("\(at): id \(id) appears twice") }
            let answers = o["answers"] ?? []
            guard let a = answers as? [String] else { throw EvalError("\(at): answers: must be an array of strings") }
            let sources = o["sources"] ?? []
            guard let s = sources as? [String] else { throw EvalError("\(at): sources: must be an array of file names") }
            let answerable = o["answerable"] ?? true
            guard let b = answerable as? Bool else { throw EvalError("\(at): answerable: must be true or false") }
            out.append(EvalQuestion(id: id, question: question, answers: a, sources: s, answerable: b))
        }
        guard !out.isEmpty else { throw EvalError("\(path): no questions") }
        return out
    }
}
