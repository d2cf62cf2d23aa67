import LoreCore
import LoreStore

/// One retrieved passage: a chunk, or several overlapping chunks of one document merged.
public struct Passage: Sendable, Equatable {
    /// The chunks it holds; the first is the best-ranked one.
    public var chunkIDs: [Int64]
    public var documentID: Int64
    public var source: String
    public var title: String
    public var format: String
    public var headingPath: String
    public var text: String
    /// UTF-8 byte range in the document's text.
    public var range: Range<Int>
    public var page: Int?
    /// The fused (RRF) score that ranked it; higher is better.
    public var score: Double
    /// Cosine similarity between the question and the passage's best chunk (nil without vectors).
    public var relevance: Double?
    /// 1-based ranks of its best chunk in the dense and lexical lists (nil where absent).
    public var denseRank: Int?
    public var lexicalRank: Int?
    /// The stored vector of its best chunk (for sentence ranking, MMR, drift).
    public var vector: [Float]?

    public init(
        chunkIDs: [Int64], documentID: Int64, source: String, title: String, format: String, headingPath: String,
        text: String, range: Range<Int>, page: Int?, score: Double, relevance: Double?, denseRank: Int?,
        lexicalRank: Int?, vector: [Float]?
    ) {
        self.chunkIDs = chunkIDs
        self.documentID = documentID
        self.source = source
        self.title = title
        self.format = format
        self.headingPath = headingPath
        self.text = text
        self.range = range
        self.page = page
        self.score = score
        self.relevance = relevance
        self.denseRank = denseRank
        self.lexicalRank = lexicalRank
        self.vector = vector
    }

    /// The passage as a numbered source for prompts and answer writers.
    public func contextSource(number: Int) -> ContextSource {
        ContextSource(
            number: number, chunkID: chunkIDs[0], source: source, title: title, headingPath: headingPath,
            text: text, score: relevance ?? score)
    }
}

/// Merges passages of the same document whose byte ranges overlap (the chunker repeats
/// an overlap between neighbours), so that no text is shown twice. A merged passage takes
/// the place and score of its best member; its text runs from the first member's start to
/// the last member's end, in document order.
public enum PassageMerger {
    public static func merge(_ passages: [Passage]) -> [Passage] {
        var out: [Passage] = []
        var consumed = [Bool](repeating: false, count: passages.count)
        for i in passages.indices where !consumed[i] {
            consumed[i] = true
            var group = [passages[i]]
            // Grow the group until no other passage of the document overlaps its span.
            var grew = true
            while grew {
                grew = false
                let lo = group.map(\.range.lowerBound).min()!, hi = group.map(\.range.upperBound).max()!
                for j in passages.indices where !consumed[j] && passages[j].documentID == passages[i].documentID {
                    let r = passages[j].range
                    if r.lowerBound < hi && lo < r.upperBound {
                        consumed[j] = true
                        group.append(passages[j])
                        grew = true
                    }
                }
            }
            out.append(group.count == 1 ? group[0] : combine(group))
        }
        return out
    }

    /// One passage from overlapping members; the first member is the best-ranked.
    static func combine(_ group: [Passage]) -> Passage {
        let best = group[0]
        let ordered = group.sorted { $0.range.lowerBound < $1.range.lowerBound }
        var bytes = Array(ordered[0].text.utf8)
        var end = ordered[0].range.upperBound
        for p in ordered.dropFirst() where p.range.upperBound > end {
            let skip = end - p.range.lowerBound  // bytes of p already in the text
            let pb = Array(p.text.utf8)
            if skip >= 0 && skip <= pb.count {
                bytes += pb[skip...]
            } else {
                bytes += Array("\n".utf8) + pb  // ranges disagree with the text: never lose text
            }
            end = p.range.upperBound
        }
        var merged = best
        merged.chunkIDs = group.map { $0.chunkIDs }.flatMap { $0 }
        merged.text = String(decoding: bytes, as: UTF8.self)
        merged.range = ordered[0].range.lowerBound..<end
        merged.headingPath = ordered[0].headingPath
        merged.page = ordered[0].page
        merged.score = group.map(\.score).max()!
        merged.relevance = group.compactMap(\.relevance).max()
        merged.denseRank = group.compactMap(\.denseRank).min()
        merged.lexicalRank = group.compactMap(\.lexicalRank).min()
        return merged
    }
}
