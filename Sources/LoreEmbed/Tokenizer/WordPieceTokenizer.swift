import Foundation
import LoreCore

/// BERT's uncased WordPiece tokenizer, matching Hugging Face's `BertTokenizer` (and the fast
/// `BertNormalizer` + `BertPreTokenizer` + `WordPiece`) for all-MiniLM-L6-v2:
/// control characters removed, CJK characters isolated, accents stripped (NFD without
/// non-spacing marks), lower-cased, split on whitespace and punctuation, then greedy
/// longest-match WordPiece with `##` continuations and `[UNK]` for words it cannot cover
/// or longer than 100 characters.
public struct WordPieceTokenizer: TokenCounter {
    public let vocabulary: Vocabulary
    public let unknownID: Int32
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    public let maxSequenceLength: Int
    public let maxInputCharsPerWord: Int
    public var specialTokenCount: Int { 2 }
    /// Special tokens recognised verbatim in input text (before normalisation), as Hugging
    /// Face's added tokens are: `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]`.
    let specialTokens: [(bytes: [UInt8], id: Int32)]

    /// Loads `vocab.txt` from a model directory such as `models/all-MiniLM-L6-v2`.
    public init(modelDirectory: String, maxSequenceLength: Int = 256) throws {
        try self.init(vocabulary: Vocabulary(contentsOf: modelDirectory + "/vocab.txt"), maxSequenceLength: maxSequenceLength)
    }

    public init(vocabulary: Vocabulary, maxSequenceLength: Int = 256, maxInputCharsPerWord: Int = 100) throws {
        func special(_ t: String) throws -> Int32 {
            guard let id = vocabulary.id(of: t) else { throw Vocabulary.LoadError(description: "the vocabulary has no \(t) token") }
            return id
        }
        self.vocabulary = vocabulary
        self.unknownID = try special("[UNK]")
        self.clsID = try special("[CLS]")
        self.sepID = try special("[SEP]")
        self.padID = try special("[PAD]")
        self.maxSequenceLength = maxSequenceLength
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.specialTokens = try ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map { (Array($0.utf8), try special($0)) }
    }

    // MARK: Public API

    /// Token ids of `text`, without special tokens and without truncation.
    public func tokenize(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        var copy = text
        copy.withUTF8 { bytes in
            segments(bytes, special: { _, id in ids.append(id) }) { _, word, chars in wordPiece(word, chars: chars) { ids.append($0) } }
        }
        return ids
    }

    /// The token strings of `text` (for debugging and tests).
    public func tokenStrings(_ text: String) -> [String] {
        tokenize(text).map { vocabulary.tokens[Int($0)] }
    }

    /// `[CLS] tokens [SEP]`, truncated to `maxLength` (default: the model's maximum).
    public func encode(_ text: String, maxLength: Int? = nil) -> [Int32] {
        let limit = max(2, maxLength ?? maxSequenceLength)
        var ids: [Int32] = [clsID]
        var copy = text
        copy.withUTF8 { bytes in
            segments(bytes, special: { _, id in if ids.count < limit - 1 { ids.append(id) } }) { _, word, chars in
                guard ids.count < limit - 1 else { return }
                wordPiece(word, chars: chars) { if ids.count < limit - 1 { ids.append($0) } }
            }
        }
        ids.append(sepID)
        return ids
    }

    public func countTokens(_ text: String) -> Int {
        var n = 0
        var copy = text
        copy.withUTF8 { bytes in
            segments(bytes, special: { _, _ in n += 1 }) { _, word, chars in n += wordPieceCount(word, chars: chars) }
        }
        return n
    }

    public func forEachPretoken(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Int) -> Void) {
        segments(bytes, special: { range, _ in body(range, 1) }) { range, word, chars in body(range, wordPieceCount(word, chars: chars)) }
    }

    /// Splits the input at verbatim special tokens, and pre-tokenises the text between them.
    private func segments(
        _ bytes: UnsafeBufferPointer<UInt8>, special: (Range<Int>, Int32) -> Void,
        _ text: (Range<Int>, UnsafeBufferPointer<UInt8>, Int) -> Void
    ) {
        var start = 0
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "["), let (length, id) = specialToken(at: i, in: bytes) else { i += 1; continue }
            if i > start {
                Pretokenizer.run(UnsafeBufferPointer(rebasing: bytes[start..<i])) { r, w, c in
                    text((r.lowerBound + start)..<(r.upperBound + start), w, c)
                }
            }
            special(i..<(i + length), id)
            i += length
            start = i
        }
        if start < bytes.count {
            Pretokenizer.run(UnsafeBufferPointer(rebasing: bytes[start...])) { r, w, c in
                text((r.lowerBound + start)..<(r.upperBound + start), w, c)
            }
        }
    }

    private func specialToken(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int32)? {
        for (token, id) in specialTokens where i + token.count <= bytes.count {
            var match = true
            for k in 0..<token.count where bytes[i + k] != token[k] { match = false; break }
            if match { return (token.count, id) }
        }
        return nil
    }

    // MARK: WordPiece

    @inline(__always)
    private func wordPieceCount(_ word: UnsafeBufferPointer<UInt8>, chars: Int) -> Int {
        var n = 0
        wordPiece(word, chars: chars) { _ in n += 1 }
        return n
    }

    /// Greedy longest-match-first over the normalised word's characters.
    private func wordPiece(_ word: UnsafeBufferPointer<UInt8>, chars: Int, _ emit: (Int32) -> Void) {
        if chars > maxInputCharsPerWord { emit(unknownID); return }
        // Collect ids first: a word with any uncovered part becomes a single [UNK].
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: word.count) { out in
            var count = 0
            var start = 0
            while start < word.count {
                var end = word.count
                var found: Int32? = nil
                while end > start {
                    if let id = vocabulary.lookup(UnsafeBufferPointer(rebasing: word[start..<end]), continuation: start > 0) {
                        found = id
                        break
                    }
                    end -= 1
                    while end > start, word[end] & 0xC0 == 0x80 { end -= 1 }
                }
                guard let id = found else { emit(unknownID); return }
                out[count] = id
                count += 1
                start = end
            }
            for k in 0..<count { emit(out[k]) }
        }
    }
}
