import Foundation
import LoreQuery

/// `/save FILE`: the conversation as Markdown, each answer followed by its sources
/// (`[n]` in the text refers to them), interrupted and failed turns marked.
public enum TranscriptMarkdown {
    public static func render(_ session: ChatSession, source: String, date: Date = Date()) -> String {
        let stamp = ISO8601DateFormatter().string(from: date)
        var out = "# Lore chat\n\nConversation `\(session.conversationID)`, \(stamp), \(source).\n"
        for turn in session.turns {
            out += "\n## \(turn.question)\n\n"
            if let s = turn.standaloneQuestion, s != turn.question { out += "_Searched for: \(s)_\n\n" }
            if !turn.answer.isEmpty { out += turn.answer.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" }
            if turn.interrupted { out += "\n_(answer stopped)_\n" }
            if let failure = turn.failure { out += "\n_Error: \(failure)_\n" }
            let cited = turn.citations.filter(\.cited)
            let listed = cited.isEmpty ? turn.citations : cited
            if !listed.isEmpty {
                out += "\nSources:\n\n"
                for c in listed { out += "- [\(c.n)] \(ChatRenderer.label(c)) — `\(c.source)`\n" }
            }
        }
        return out
    }
}
