import Foundation

/// The lines typed at the chat prompt, kept across runs in one file, one line per entry
/// (`$XDG_STATE_HOME/lore/chat_history`, by default `~/.local/state/lore/chat_history`).
public final class LineHistory: @unchecked Sendable {
    public private(set) var entries: [String]
    /// Where the history is kept; nil keeps it in memory only.
    public let path: String?
    public let limit: Int

    /// Loads `path` (missing is empty). The file is rewritten to its last `limit` entries
    /// when it has grown to twice that.
    public init(path: String?, limit: Int = 1000) {
        self.path = path
        self.limit = limit
        let text = path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        let all = text.split(separator: "\n").map(String.init)
        entries = Array(all.suffix(limit))
        if all.count >= 2 * limit, let path {
            try? (entries.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// The history file under the XDG state directory.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/lore/chat_history" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/lore/chat_history"
    }

    /// Adds a line (not an empty one, nor the same as the last) and appends it to the file.
    /// Returns a problem writing the file, if any (the line is kept in memory anyway).
    @discardableResult
    public func add(_ line: String) -> String? {
        let entry = line.replacingOccurrences(of: "\n", with: " ")
        guard !entry.trimmingCharacters(in: .whitespaces).isEmpty, entry != entries.last else { return nil }
        entries.append(entry)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        guard let path else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            guard fd >= 0 else { return "cannot open \(path): \(String(cString: strerror(errno)))" }
            defer { close(fd) }
            let bytes = Array((entry + "\n").utf8)
            guard Foundation.write(fd, bytes, bytes.count) == bytes.count else {
                return "cannot write \(path): \(String(cString: strerror(errno)))"
            }
        } catch {
            return "cannot create the directory of \(path): \(error.localizedDescription)"
        }
        return nil
    }
}
