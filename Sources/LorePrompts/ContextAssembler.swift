import LoreCore

/// The context block of a prompt: the kept sources, numbered, within a token budget.
public struct AssembledContext: Sendable, Equatable {
    /// `[1] Title > Heading (file.md)` and the source's text, per kept source, blank-line separated.
    public var text: String
    /// The kept sources, renumbered 1...n in rank order (`text` cites them by these numbers).
    public var sources: [ContextSource]
    /// The sources left out for the budget, in rank order, with their numbers as given.
    public var dropped: [ContextSource]
    /// Tokens in `text`, as the counter counts them (≤ `budget`).
    public var tokens: Int
    public var budget: Int
    /// Whether the best source's text was cut to fit (it alone exceeded the budget).
    public var truncated: Bool
}

/// Builds the numbered sources block of a prompt within a token budget.
///
/// Sources arrive ranked best first. While the block is over budget the lowest-ranked source
/// is dropped (so the kept ones are always a prefix of the ranking); the kept ones are then
/// numbered 1...n. If even the best source alone is over budget, its text is cut at a token
/// boundary so that it fits, rather than leaving the model nothing. Only when the budget cannot
/// hold even that source's header line is the context empty.
///
/// Tokens are counted with the given `TokenCounter` (the embedding model's WordPiece tokenizer
/// in Lore): an estimate of what the generator's own tokenizer will count.
public struct ContextAssembler: Sendable {
    public let counter: any TokenCounter

    public init(counter: any TokenCounter) { self.counter = counter }

    /// Assembles within `template.contextTokens`.
    public func assemble(_ sources: [ContextSource], for template: PromptTemplate) -> AssembledContext {
        assemble(sources, budget: template.contextTokens)
    }

    public func assemble(_ sources: [ContextSource], budget: Int) -> AssembledContext {
        // Counts are additive over pre-tokens, and blocks meet at blank lines: the block's
        // count is its share of the whole. The whole is checked again below all the same.
        var kept: [ContextSource] = []
        var used = 0
        for s in sources {
            var renumbered = s
            renumbered.number = kept.count + 1
            let n = counter.countTokens(Self.block(renumbered))
            if used + n > budget { break }
            kept.append(renumbered)
            used += n
        }
        var text = Self.text(kept)
        var tokens = counter.countTokens(text)
        while tokens > budget, !kept.isEmpty {
            kept.removeLast()
            text = Self.text(kept)
            tokens = counter.countTokens(text)
        }
        var truncated = false
        if kept.isEmpty, let best = sources.first, let cut = truncate(best, budget: budget) {
            kept = [cut]
            text = Self.text(kept)
            tokens = counter.countTokens(text)
            truncated = true
        }
        return AssembledContext(
            text: text, sources: kept, dropped: Array(sources.dropFirst(kept.count)),
            tokens: tokens, budget: budget, truncated: truncated)
    }

    /// The best source, numbered 1, with its text cut at a pre-token boundary to fit `budget`;
    /// nil when not even the header fits.
    private func truncate(_ source: ContextSource, budget: Int) -> ContextSource? {
        var s = source
        s.number = 1
        s.text = ""
        var available = budget - counter.countTokens(Self.block(s))
        let bytes = Array(source.text.utf8)
        while available > 0 {
            var end = 0
            var total = 0
            bytes.withUnsafeBufferPointer { p in
                var full = false
                counter.forEachPretoken(in: p) { range, n in
                    if full { return }
                    if total + n > available { full = true; return }
                    total += n
                    end = range.upperBound
                }
            }
            s.text = String(decoding: bytes[..<end], as: UTF8.self)
            let over = counter.countTokens(Self.text([s])) - budget
            if over <= 0 { return end > 0 ? s : nil }
            available -= over
        }
        return nil
    }

    /// The block of all `sources`.
    public static func text(_ sources: [ContextSource]) -> String {
        sources.map(block).joined(separator: "\n\n")
    }

    /// `[n] Title > Heading > Path (file.md)`, then the text.
    public static func block(_ s: ContextSource) -> String {
        header(s) + "\n" + s.text
    }

    /// The first line of a source's block.
    public static func header(_ s: ContextSource) -> String {
        let file = s.source.split(separator: "/").last.map(String.init) ?? s.source
        var label = s.title.trimmingWhitespace().description
        let heading = s.headingPath.trimmingWhitespace().description
        if !heading.isEmpty {
            // Heading paths often start with the document title: do not say it twice.
            if label.isEmpty || heading == label || heading.hasPrefix(label + " > ") { label = heading } else { label += " > " + heading }
        }
        if label.isEmpty { return "[\(s.number)] \(file)" }
        return label == file ? "[\(s.number)] \(file)" : "[\(s.number)] \(label) (\(file))"
    }
}
