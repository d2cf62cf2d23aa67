import Foundation
import LoreCore
import LoreQuery

/// Checks an answer's citations against the sources the model was given:
/// - an `[n]` with no source `n` is invented: it is removed (or flagged);
/// - an answer with no citation at all, when there were sources, is flagged (or refused);
/// - a cited sentence whose content words barely appear in any source it cites is flagged
///   as unsupported: the share of the sentence's content words (three letters or more, no
///   stopwords) found in the cited sources' text, title and heading path, against a
///   threshold. It is a cheap lexical overlap (microseconds per sentence), not entailment:
///   `lore guard eval` measures how well it separates supported from unsupported citations.
public struct CitationChecker: Sendable {
    public var unsupportedThreshold: Double

    public init(unsupportedThreshold: Double = 0.2) { self.unsupportedThreshold = unsupportedThreshold }

    /// A sentence that cites sources sharing too little of its content.
    public struct Unsupported: Sendable, Equatable {
        public var sentence: String
        public var cited: [Int]
        public var overlap: Double
    }

    /// `text` without the citation numbers not in `valid`, and the numbers removed, in order.
    /// `[2, 9]` becomes `[2]`; a group left empty goes, with the space before it.
    public static func removeInvalid(_ text: String, valid: Set<Int>) -> (text: String, removed: [Int]) {
        var out = ""
        var removed: [Int] = []
        var i = text.startIndex
        while let open = text[i...].firstIndex(of: "[") {
            out += text[i..<open]
            guard let close = text[open...].firstIndex(of: "]") else { i = open; break }
            let inner = text[text.index(after: open)..<close]
            let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = parts.compactMap { Int($0) }
            if !parts.isEmpty, numbers.count == parts.count, !inner.isEmpty {
                let kept = numbers.filter { valid.contains($0) }
                removed += numbers.filter { !valid.contains($0) }
                if kept.isEmpty {
                    // The space before goes too, unless another group follows at once.
                    let next = text.index(after: close)
                    if next == text.endIndex || text[next] != "[" { while out.last == " " { out.removeLast() } }
                } else {
                    out += "[" + kept.map(String.init).joined(separator: ", ") + "]"
                }
            } else {
                out += text[open...close]
            }
            i = text.index(after: close)
        }
        out += text[i...]
        return (out, removed)
    }

    /// The cited sentences whose support is below the threshold.
    public func unsupported(_ answer: String, sources: [ContextSource]) -> [Unsupported] {
        let byNumber = Dictionary(sources.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        var words: [Int: Set<String>] = [:]
        var out: [Unsupported] = []
        for line in answer.split(separator: "\n") {
            for sentence in SentenceSplitter.split(String(line)) {
                let cited = QueryService.citedNumbers(sentence).filter { byNumber[$0] != nil }.sorted()
                guard !cited.isEmpty else { continue }
                let content = Set(CitationAttributor.contentWords(sentence))
                guard content.count >= 3 else { continue }
                var best = 0.0
                for n in cited {
                    if words[n] == nil, let s = byNumber[n] {
                        words[n] = Set(CitationAttributor.contentWords(s.text + " " + s.title + " " + s.headingPath))
                    }
                    best = max(best, Double(content.intersection(words[n] ?? []).count) / Double(content.count))
                }
                if best < unsupportedThreshold { out.append(Unsupported(sentence: sentence, cited: cited, overlap: best)) }
            }
        }
        return out
    }

    /// The support of one sentence by one text (the share of its content words the text
    /// has), for the evaluation.
    public static func overlap(_ sentence: String, _ text: String) -> Double {
        let content = Set(CitationAttributor.contentWords(sentence))
        guard !content.isEmpty else { return 0 }
        return Double(content.intersection(Set(CitationAttributor.contentWords(text))).count) / Double(content.count)
    }
}
