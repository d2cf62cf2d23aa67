import Foundation
import LoreCore

/// Adds citations an LLM left out: each answer sentence with no `[n]` of its own and enough
/// content words is matched to the source that shares the largest share of those words;
/// when that share reaches `minOverlap`, the sentence gets that source's `[n]`. Small models
/// often answer from the sources without citing them; the response says when Lore, not
/// the model, attributed a citation.
public struct CitationAttributor: Sendable {
    /// The share of a sentence's content words that must appear in the source.
    public var minOverlap: Double

    public init(minOverlap: Double = 0.5) { self.minOverlap = minOverlap }

    /// The answer with attributed citations, and how many were added.
    public func attribute(_ answer: String, sources: [ContextSource]) -> (String, Int) {
        guard !sources.isEmpty, !answer.isEmpty else { return (answer, 0) }
        let sourceWords = sources.map { Set(Self.contentWords($0.text + " " + $0.title + " " + $0.headingPath)) }
        var added = 0
        var out: [String] = []
        var inCode = false
        for paragraph in answer.split(separator: "\n", omittingEmptySubsequences: false) {
            // Code blocks are quoted, not claims: left alone.
            if paragraph.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inCode.toggle(); out.append(String(paragraph)); continue }
            if inCode || paragraph.hasPrefix("    ") { out.append(String(paragraph)); continue }
            var sentences: [String] = []
            let before = added
            for sentence in SentenceSplitter.split(String(paragraph)) {
                guard QueryService.citedNumbers(sentence).isEmpty else { sentences.append(sentence); continue }
                let words = Set(Self.contentWords(sentence))
                guard words.count >= 3 else { sentences.append(sentence); continue }
                var best = -1, bestShare = 0.0
                for (i, sw) in sourceWords.enumerated() {
                    let share = Double(words.intersection(sw).count) / Double(words.count)
                    if share > bestShare { best = i; bestShare = share }
                }
                if best >= 0, bestShare >= minOverlap {
                    sentences.append(ExtractiveAnswerer.cite(sentence, sources[best].number))
                    added += 1
                } else {
                    sentences.append(sentence)
                }
            }
            // Lines without an attribution stay exactly as written (code, lists, spacing).
            out.append(added > before ? sentences.joined(separator: " ") : String(paragraph))
        }
        return added == 0 ? (answer, 0) : (out.joined(separator: "\n"), added)
    }

    /// Lowercased words of three letters or more, without stopwords (shared with the guardrails' support check).
    public static func contentWords(_ text: String) -> [String] {
        ExtractiveAnswerer.words(text).filter { $0.count > 2 && !ExtractiveAnswerer.stopwords.contains($0) }
    }
}
