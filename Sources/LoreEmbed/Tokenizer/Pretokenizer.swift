import Foundation

/// BERT normalisation and pre-tokenisation in one pass over UTF-8 bytes.
///
/// Emits each pre-token (a word, or a single punctuation or CJK character) as the byte range
/// it covers in the input, its normalised UTF-8 bytes and its length in characters. ASCII
/// takes a table-driven fast path; other scalars go through NFD, mark stripping and
/// lower-casing, as the Hugging Face `BertNormalizer` does.
enum Pretokenizer {
    /// ASCII classes: 0 letter/digit (kept, lower-cased), 1 whitespace, 2 punctuation, 3 dropped control.
    private static let asciiClass: [UInt8] = (0..<128).map { b -> UInt8 in
        switch b {
        case 9, 10, 13, 32: return 1
        case 0..<32, 127: return 3
        case 33...47, 58...64, 91...96, 123...126: return 2
        default: return 0
        }
    }

    static func run(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Range<Int>, UnsafeBufferPointer<UInt8>, Int) -> Void) {
        var word: [UInt8] = []
        word.reserveCapacity(64)
        var wordStart = -1
        var wordEnd = 0
        var chars = 0

        func flush() {
            if wordStart >= 0, !word.isEmpty {
                word.withUnsafeBufferPointer { emit(wordStart..<wordEnd, $0, chars) }
            }
            word.removeAll(keepingCapacity: true)
            wordStart = -1
            chars = 0
        }
        func single(_ range: Range<Int>, _ scalarBytes: UnsafeBufferPointer<UInt8>) {
            flush()
            emit(range, scalarBytes, 1)
        }

        asciiClass.withUnsafeBufferPointer { cls in
            var i = 0
            let n = bytes.count
            var scratch: [UInt8] = []
            while i < n {
                let b = bytes[i]
                if b < 0x80 {
                    switch cls[Int(b)] {
                    case 0:
                        if wordStart < 0 { wordStart = i }
                        word.append(b >= 65 && b <= 90 ? b | 0x20 : b)
                        chars += 1
                        wordEnd = i + 1
                    case 1:
                        flush()
                    case 2:
                        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { p in
                            p[0] = b
                            single(i..<(i + 1), UnsafeBufferPointer(p))
                        }
                    default:
                        break
                    }
                    i += 1
                    continue
                }
                // Decode one scalar (invalid sequences count as U+FFFD, which is dropped).
                let (scalar, length) = decode(bytes, at: i)
                let range = i..<(i + length)
                i += length
                guard let u = scalar else { continue }
                let props = u.properties
                if isDropped(props.generalCategory) || u.value == 0xFFFD { continue }
                if props.isWhitespace { flush(); continue }
                if isCJK(u.value) {
                    // Isolated first, then normalised (a compatibility ideograph becomes its
                    // unified form, as in Hugging Face's normaliser).
                    scratch.removeAll(keepingCapacity: true)
                    for v in normalize(u) { scratch.append(contentsOf: String(Character(v)).utf8) }
                    if !scratch.isEmpty { scratch.withUnsafeBufferPointer { single(range, $0) } }
                    continue
                }
                let normalized = normalize(u)
                if normalized.isEmpty, wordStart >= 0 {
                    // A stripped combining mark still belongs to the word it follows.
                    wordEnd = range.upperBound
                }
                for v in normalized {
                    if v.properties.isWhitespace {
                        flush()
                    } else if isPunctuation(v) {
                        scratch.removeAll(keepingCapacity: true)
                        scratch.append(contentsOf: String(Character(v)).utf8)
                        scratch.withUnsafeBufferPointer { single(range, $0) }
                    } else {
                        if wordStart < 0 { wordStart = range.lowerBound }
                        word.append(contentsOf: String(Character(v)).utf8)
                        chars += 1
                        wordEnd = range.upperBound
                    }
                }
            }
            flush()
        }
    }

    /// NFD, then drop non-spacing marks, then lower-case.
    private static func normalize(_ u: Unicode.Scalar) -> [Unicode.Scalar] {
        let decomposed = String(Character(u)).decomposedStringWithCanonicalMapping.unicodeScalars
        var out: [Unicode.Scalar] = []
        for d in decomposed where d.properties.generalCategory != .nonspacingMark {
            out.append(contentsOf: d.properties.lowercaseMapping.unicodeScalars)
        }
        return out
    }

    @inline(__always)
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar?, Int) {
        let b0 = UInt32(bytes[i])
        let n = bytes.count
        func cont(_ k: Int) -> UInt32? {
            guard i + k < n, bytes[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(bytes[i + k] & 0x3F)
        }
        if b0 & 0xE0 == 0xC0, let c1 = cont(1) {
            let v = (b0 & 0x1F) << 6 | c1
            return v >= 0x80 ? (Unicode.Scalar(v), 2) : (nil, 2)
        }
        if b0 & 0xF0 == 0xE0, let c1 = cont(1), let c2 = cont(2) {
            let v = (b0 & 0x0F) << 12 | c1 << 6 | c2
            return v >= 0x800 ? (Unicode.Scalar(v), 3) : (nil, 3)
        }
        if b0 & 0xF8 == 0xF0, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) {
            let v = (b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            return v >= 0x10000 ? (Unicode.Scalar(v), 4) : (nil, 4)
        }
        return (nil, 1)
    }

    /// Characters the normaliser removes. Hugging Face's fast tokenizer keeps unassigned
    /// code points (its Unicode tables mark them differently), so they are not dropped here
    /// either: they end up inside an `[UNK]` word, as there.
    @inline(__always)
    private static func isDropped(_ c: Unicode.GeneralCategory) -> Bool {
        switch c {
        case .control, .format, .surrogate, .privateUse: return true
        default: return false
        }
    }

    private static func isPunctuation(_ u: Unicode.Scalar) -> Bool {
        if u.value < 128 { return asciiClass[Int(u.value)] == 2 }
        switch u.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    private static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
