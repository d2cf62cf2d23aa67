import Foundation

/// Reads a JSON Lines file: one JSON object per non-blank line, each with its 1-based line
/// number. An unreadable file, invalid UTF-8 or a line that is not an object is an error
/// naming the file and the line.
public enum JSONLines {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func objects(_ path: String) throws -> [(line: Int, object: [String: Any])] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "\(path): cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(description: "\(path): not UTF-8") }
        var out: [(Int, [String: Any])] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure(description: "\(path):\(n + 1): not a JSON object")
            }
            out.append((n + 1, o))
        }
        return out
    }
}
