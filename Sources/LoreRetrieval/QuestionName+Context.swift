import Foundation

/// Where a name sits in a question, which tells context from subject without any topic
/// list: a name only in a statement before the question ("Our Contoso app stalls on writes.
/// Do readers block the writer?"), or after a possessive determiner ("in our Contoso
/// service"), describes the user's situation; a name inside the question sentence with no
/// such cue ("How do I configure Redis Sentinel?") is what the question asks about. The determiners are data (`Resources/name-context.json`).
public enum NamePlacement {
    struct Cues: Sendable {
        var possessives: Set<String>
        var window: Int

        static let bundled: Cues = {
            let o = (try? JSONSerialization.jsonObject(with: Data(PackageResources.name_context_json))) as? [String: Any] ?? [:]
            return Cues(possessives: Set(o["possessives"] as? [String] ?? []), window: o["window"] as? Int ?? 2)
        }()
    }

    /// Whether every occurrence of `name` in `question` is outside its question sentences
    /// (those ending in `?`; with none, the whole text asks) or follows a possessive
    /// determiner within the window.
    public static func isContext(_ name: String, in question: String) -> Bool {
        let cues = Cues.bundled
        var ranges: [Range<String.Index>] = []
        var from = question.startIndex
        while let r = question.range(of: name, range: from..<question.endIndex) {
            ranges.append(r)
            from = r.upperBound
        }
        guard !ranges.isEmpty else { return false }
        let asks = question.contains("?")
        return ranges.allSatisfy { r in
            let (sentence, isQuestion) = sentenceAround(r, in: question)
            if asks && !isQuestion { return true }
            let before = question[sentence.lowerBound..<r.lowerBound]
                .split { !$0.isLetter && $0 != "'" }.suffix(cues.window).map { $0.lowercased() }
            return before.contains { cues.possessives.contains($0) }
        }
    }

    /// The sentence holding `r` and whether it ends with a question mark.
    static func sentenceAround(_ r: Range<String.Index>, in text: String) -> (Range<String.Index>, Bool) {
        func isEnd(_ i: String.Index) -> Bool {
            guard ".?!".contains(text[i]) else { return false }
            let next = text.index(after: i)
            return next == text.endIndex || text[next].isWhitespace
        }
        var start = r.lowerBound
        while start > text.startIndex {
            let p = text.index(before: start)
            if isEnd(p) { break }
            start = p
        }
        var end = r.upperBound
        while end < text.endIndex, !isEnd(end) { end = text.index(after: end) }
        let asks = end < text.endIndex && text[end] == "?"
        return (start..<(end < text.endIndex ? text.index(after: end) : end), asks)
    }
}
