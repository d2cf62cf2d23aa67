import LoreCore

/// Settings of the recursive chunker, in tokens of the embedding model.
public struct ChunkingOptions: Sendable, Equatable {
    /// Target maximum size of a chunk (default 200).
    public var size: Int
    /// Tokens shared by consecutive chunks of one section (default 30).
    public var overlap: Int

    public init(size: Int = 200, overlap: Int = 30) {
        self.size = size
        self.overlap = overlap
    }
}

/// Why chunking options were refused.
public struct ChunkingOptionsError: Error, CustomStringConvertible {
    public var description: String
}

/// A recursive splitter that measures in model tokens.
///
/// Each section (a heading's body, or a PDF page) is chunked on its own, so chunks never
/// straddle a heading. Within a section the text is cut at its strongest boundaries first
/// (top-level declarations in code, then blank lines, then lines, then sentences, then
/// words, then punctuation inside a word) until every piece fits, and the pieces are
/// packed greedily into chunks of at most `size` tokens. Each new chunk starts with up to
/// `overlap` tokens from the end of the previous one, cut at the strongest boundary
/// available. Token counts are exact: they are sums over the tokenizer's pre-tokens.
public struct RecursiveChunker: Chunker {
    public let counter: any TokenCounter
    public let options: ChunkingOptions

    public init(counter: any TokenCounter, options: ChunkingOptions = ChunkingOptions()) throws(ChunkingOptionsError) {
        let hardLimit = counter.maxSequenceLength - counter.specialTokenCount
        guard options.size >= 32, options.size <= hardLimit else {
            throw ChunkingOptionsError(
                description:
                    "chunk size \(options.size) must be between 32 and \(hardLimit) tokens (the model takes \(counter.maxSequenceLength) including \(counter.specialTokenCount) special tokens)"
            )
        }
        guard options.overlap >= 0, options.overlap < options.size / 2 else {
            throw ChunkingOptionsError(
                description: "chunk overlap \(options.overlap) must be between 0 and half the chunk size (\(options.size / 2 - 1))")
        }
        self.counter = counter
        self.options = options
    }

    public func chunk(_ document: Document) -> [Chunk] {
        var chunks: [Chunk] = []
        var text = document.text
        let isCode = document.format == .code
        text.withUTF8 { bytes in
            for section in document.sections where !section.range.isEmpty {
                var units = Units()
                let base = section.range.lowerBound
                counter.forEachPretoken(in: UnsafeBufferPointer(rebasing: bytes[section.range])) { r, tokens in
                    units.append(start: base + r.lowerBound, end: base + r.upperBound, tokens: tokens)
                }
                guard units.count > 0 else { continue }
                units.computeGaps(bytes, isCode: isCode)
                func emit(_ range: Range<Int>, tokens: Int) {
                    chunks.append(
                        Chunk(
                            ordinal: chunks.count,
                            text: String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self),
                            tokenCount: tokens,
                            headingPath: section.headingPath,
                            range: range,
                            page: section.page))
                }
                for span in pack(units) {
                    let range = units.start[span.lowerBound]..<units.end[span.upperBound - 1]
                    let tokens = units.tokens(span)
                    if span.count == 1, tokens > options.size {
                        for piece in splitWord(bytes, range) { emit(piece.range, tokens: piece.tokens) }
                    } else {
                        emit(range, tokens: tokens)
                    }
                }
            }
        }
        return chunks
    }

    /// Cuts one word (a pre-token) that has more tokens than `size` at character boundaries
    /// into the longest pieces that fit, each counted exactly. Only happens with sizes under
    /// 100: a longer word is a single `[UNK]`.
    private func splitWord(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [(range: Range<Int>, tokens: Int)] {
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self) }
        var boundaries: [Int] = []
        for i in range where bytes[i] & 0xC0 != 0x80 { boundaries.append(i) }
        boundaries.append(range.upperBound)
        var pieces: [(Range<Int>, Int)] = []
        var startIndex = 0
        while startIndex < boundaries.count - 1 {
            // The furthest end whose piece fits (binary search; counts grow with length).
            var lo = startIndex + 1, hi = boundaries.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if counter.countTokens(text(boundaries[startIndex]..<boundaries[mid])) <= options.size { lo = mid } else { hi = mid - 1 }
            }
            let r = boundaries[startIndex]..<boundaries[lo]
            pieces.append((r, counter.countTokens(text(r))))
            startIndex = lo
        }
        return pieces
    }

    /// Splits the section into pieces that fit, then packs them with overlap.
    private func pack(_ u: Units) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        split(u, 0..<u.count, into: &pieces)

        var out: [Range<Int>] = []
        var current: Range<Int>? = nil
        for piece in pieces {
            guard let cur = current else { current = piece; continue }
            if u.tokens(cur.lowerBound..<piece.upperBound) <= options.size {
                current = cur.lowerBound..<piece.upperBound
                continue
            }
            out.append(cur)
            current = overlapStart(u, previous: cur, next: piece).map { $0..<piece.upperBound } ?? piece
        }
        if let cur = current { out.append(cur) }
        return out
    }

    private func split(_ u: Units, _ r: Range<Int>, into pieces: inout [Range<Int>]) {
        if r.count == 1 || u.tokens(r) <= options.size {
            pieces.append(r)
            return
        }
        var strongest = UInt8.max
        for k in (r.lowerBound + 1)..<r.upperBound where u.gap[k] < strongest { strongest = u.gap[k] }
        var lo = r.lowerBound
        for k in (r.lowerBound + 1)..<r.upperBound where u.gap[k] == strongest {
            split(u, lo..<k, into: &pieces)
            lo = k
        }
        split(u, lo..<r.upperBound, into: &pieces)
    }

    /// Where the next chunk starts inside `previous`: at most `overlap` tokens back, at the
    /// strongest boundary in that window (the earliest among equals), and leaving room for
    /// `next` within `size`.
    private func overlapStart(_ u: Units, previous: Range<Int>, next: Range<Int>) -> Int? {
        guard options.overlap > 0 else { return nil }
        let room = min(options.overlap, options.size - u.tokens(next))
        guard room > 0 else { return nil }
        var best: Int? = nil
        var bestGap = UInt8.max
        var s = previous.upperBound - 1
        while s > previous.lowerBound, u.tokens(s..<previous.upperBound) <= room {
            if u.gap[s] <= bestGap { best = s; bestGap = u.gap[s] }
            s -= 1
        }
        return best
    }
}

/// The pre-tokens of one section, with prefix sums of their token counts and the strength
/// of the boundary before each (lower is stronger).
struct Units {
    var start: [Int] = []
    var end: [Int] = []
    var prefix: [Int] = [0]
    var gap: [UInt8] = []

    var count: Int { start.count }

    mutating func append(start s: Int, end e: Int, tokens: Int) {
        start.append(s)
        end.append(e)
        prefix.append(prefix[prefix.count - 1] + tokens)
    }

    @inline(__always) func tokens(_ r: Range<Int>) -> Int { prefix[r.upperBound] - prefix[r.lowerBound] }

    static let declaration: UInt8 = 0, paragraph: UInt8 = 1, line: UInt8 = 2, sentence: UInt8 = 3, word: UInt8 = 4, glued: UInt8 = 5

    mutating func computeGaps(_ bytes: UnsafeBufferPointer<UInt8>, isCode: Bool) {
        gap = [UInt8](repeating: Self.glued, count: count)
        guard count > 1 else { return }
        for k in 1..<count {
            var newlines = 0
            var space = false
            for i in end[k - 1]..<start[k] {
                let b = bytes[i]
                if b == 0x0A { newlines += 1 } else if b == 0x20 || b == 0x09 || b == 0x0D || b >= 0x80 { space = true }
            }
            if newlines >= 2 {
                let first = bytes[start[k]]
                let atColumnZero = bytes[start[k] - 1] == 0x0A
                let closer = first == UInt8(ascii: "}") || first == UInt8(ascii: ")") || first == UInt8(ascii: "]")
                gap[k] = isCode && atColumnZero && !closer ? Self.declaration : Self.paragraph
            } else if newlines == 1 {
                gap[k] = Self.line
            } else if space || start[k] > end[k - 1] {
                gap[k] = endsSentence(bytes, before: k) ? Self.sentence : Self.word
            }
        }
    }

    private func endsSentence(_ bytes: UnsafeBufferPointer<UInt8>, before k: Int) -> Bool {
        var j = k - 1
        for _ in 0..<2 where j >= 0 {
            let b = bytes[end[j] - 1]
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "!") || b == UInt8(ascii: "?") { return true }
            guard b == UInt8(ascii: "\"") || b == UInt8(ascii: ")") || b == UInt8(ascii: "'") else { return false }
            j -= 1
        }
        return false
    }
}
