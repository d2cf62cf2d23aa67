import Foundation
import LoreCore

/// A file of queries for `lore eval drift`: plain text, one query per line, or JSON Lines
/// whose objects carry the query in `"question"` (the format of an evaluation set or a
/// query log). The first non-blank line decides: `{` starts JSON Lines. Blank lines are
/// skipped.
public enum DriftQueryFile {
    /// The queries of `text`, each with its 1-based line number; an error names `file` and
    /// the line.
    public static func parse(_ text: String, file: String) throws -> [(line: Int, query: String)] {
        var out: [(Int, String)] = []
        var json: Bool? = nil
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            if json == nil { json = line.hasPrefix("{") }
            guard json == true else { out.append((n + 1, line)); continue }
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw EvalError("\(file):\(n + 1): not a JSON object (the file's first line made it JSON Lines)")
            }
            guard let q = o["question"] as? String, !q.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw EvalError("\(file):\(n + 1): no \"question\" string")
            }
            out.append((n + 1, q))
        }
        return out
    }

    /// Reads and parses `path`; an unreadable or non-UTF-8 file is an error naming it.
    public static func load(_ path: String) throws -> [(line: Int, query: String)] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvalError("\(path): cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw EvalError("\(path): not UTF-8") }
        return try parse(text, file: path)
    }
}
