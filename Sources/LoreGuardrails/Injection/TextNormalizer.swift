import Foundation

// The text normaliser of the injection detector: one pass over the UTF-8 bytes turns the text
// into word tokens (lower-cased, diacritics folded, obfuscation undone) that keep their UTF-8
// range in the original text, their clause boundaries and a few flags. Rules are matched over
// these tokens, never over the raw text, so "I G N O R E", "1gn0re", "ｉｇｎｏｒｅ", "ig\u{200B}nore"
// and "IgnorePrevious" all read as the words a person would see.

/// FNV-1a, 64 bits: the token hash the lexicon is keyed by. Hashing byte by byte lets a prefix
/// or a run of CJK characters be hashed incrementally.
@usableFromInline let injFNVOffset: UInt64 = 0xcbf2_9ce4_8422_2325
@inline(__always) @usableFromInline func injFNVStep(_ h: UInt64, _ b: UInt8) -> UInt64 {
    (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
}

/// Per-token flags.
struct InjTokenFlags: OptionSet, Sendable {
    let rawValue: UInt16
    static let allCaps = InjTokenFlags(rawValue: 1 << 0)      // every letter upper-case, two or more letters
    static let colonAfter = InjTokenFlags(rawValue: 1 << 1)   // followed by ':' (spaces and markup aside)
    static let commaAfter = InjTokenFlags(rawValue: 1 << 2)   // followed by ','
    static let inQuote = InjTokenFlags(rawValue: 1 << 3)      // inside "…", «…», `…`, '…'
    static let inComment = InjTokenFlags(rawValue: 1 << 4)    // inside an HTML comment <!-- … -->
    static let lineStart = InjTokenFlags(rawValue: 1 << 5)    // first token on its line
    static let cjk = InjTokenFlags(rawValue: 1 << 6)          // Han / kana
    static let dotBefore = InjTokenFlags(rawValue: 1 << 7)    // glued to the previous token by '.' (a domain)
    static let url = InjTokenFlags(rawValue: 1 << 8)          // a URL or an e-mail address, normalised to "url"
    static let urlTemplate = InjTokenFlags(rawValue: 1 << 9)  // a URL whose query holds a {placeholder}
    static let quoteStart = InjTokenFlags(rawValue: 1 << 10)  // first token inside a quotation
    static let joined = InjTokenFlags(rawValue: 1 << 11)      // joined from s p a c e d letters
    static let capitalized = InjTokenFlags(rawValue: 1 << 12) // an ASCII capital, then lower case ("Xi")
}

/// One normalised token.
struct InjToken {
    /// Normalised bytes: `bytes[start..<end]`.
    var start: Int32
    var end: Int32
    /// UTF-8 range in the original text.
    var origStart: Int32
    var origEnd: Int32
    /// The strongest separator between this token and the previous one: 0 none (spaces, quotes,
    /// brackets, hyphens), 1 soft (comma, colon, line break, dash), 2 hard (sentence end, ';', blank line).
    var boundary: UInt8
    /// How many separator bytes precede the token (capped at 255): tells "i g n o r e" from "i  g".
    var gapBefore: UInt8
    var flags: InjTokenFlags
    /// Hash of the normalised bytes, and of the variant with leet '1' read as 'l' (0 when none).
    var hash: UInt64 = 0
    var altHash: UInt64 = 0
    /// Lexicon annotations (see `Annotations`) and the bits of the "special" groups among them.
    var special: UInt32 = 0

    var length: Int { Int(end - start) }
    var isCJK: Bool { flags.contains(.cjk) }
}

/// The normalised text: token bytes and tokens.
struct InjNormalizedText {
    var bytes: [UInt8] = []
    var tokens: [InjToken] = []
    /// Invisible Unicode tag characters read as ASCII (text hidden from people).
    var tagCharacters = 0
}

/// Character classes for U+0080 ..< U+0530 (Latin-1, Latin Extended, IPA, Greek, Cyrillic):
/// whether the scalar is a letter, a mark to drop or a separator, and its folded lower-case form.
struct InjFoldTable: Sendable {
    static let limit: UInt32 = 0x530
    static let shared = InjFoldTable()

    enum Kind: UInt8 { case separator = 0, letter = 1, skip = 2 }
    /// Script of a letter: 0 Latin, 1 Greek or Cyrillic (homoglyph candidates).
    let kind: [UInt8]
    let script: [UInt8]
    let folded: [[UInt8]]

    init() {
        var kind = [UInt8](repeating: 0, count: Int(Self.limit))
        var script = [UInt8](repeating: 0, count: Int(Self.limit))
        var folded = [[UInt8]](repeating: [], count: Int(Self.limit))
        let manual: [UInt32: String] = [
            0xC6: "ae", 0xE6: "ae", 0x152: "oe", 0x153: "oe", 0xD8: "o", 0xF8: "o", 0x141: "l", 0x142: "l",
            0x110: "d", 0x111: "d", 0xD0: "d", 0xF0: "d", 0xDE: "th", 0xFE: "th", 0x131: "i", 0xDF: "ss",
            0x1E9E: "ss",
        ]
        for v in UInt32(0x80) ..< Self.limit {
            guard let s = Unicode.Scalar(v) else { continue }
            let p = s.properties
            if p.generalCategory == .nonspacingMark || p.generalCategory == .enclosingMark
                || p.generalCategory == .format {
                kind[Int(v)] = Kind.skip.rawValue
                continue
            }
            guard p.isAlphabetic else { continue }
            let text: String
            if let m = manual[v] {
                text = m
            } else {
                text = String(Character(s)).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                    .lowercased()
            }
            let bytes = Array(text.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }.map(String.init).joined().utf8)
            guard !bytes.isEmpty else { kind[Int(v)] = Kind.skip.rawValue; continue }
            kind[Int(v)] = Kind.letter.rawValue
            folded[Int(v)] = bytes
            if (0x370 ..< 0x530).contains(v) { script[Int(v)] = 1 }
        }
        self.kind = kind
        self.script = script
        self.folded = folded
    }
}

/// Greek and Cyrillic letters that look like Latin ones, read as Latin inside a token that also
/// has Latin letters ("іgnоrе" written with Cyrillic і and о).
private let homoglyphs: [UInt32: UInt8] = [
    0x430: 0x61, 0x432: 0x62, 0x435: 0x65, 0x43A: 0x6B, 0x43C: 0x6D, 0x43D: 0x68, 0x43E: 0x6F, 0x440: 0x70,
    0x441: 0x63, 0x442: 0x74, 0x443: 0x79, 0x445: 0x78, 0x456: 0x69, 0x458: 0x6A, 0x455: 0x73, 0x501: 0x64,
    0x4CF: 0x6C, 0x4BB: 0x68, 0x51B: 0x71, 0x51D: 0x77, 0x438: 0x69,
    0x3B1: 0x61, 0x3B2: 0x62, 0x3B5: 0x65, 0x3B9: 0x69, 0x3BA: 0x6B, 0x3BD: 0x76, 0x3BF: 0x6F, 0x3C1: 0x70,
    0x3C4: 0x74, 0x3C5: 0x75, 0x3C7: 0x78, 0x3B7: 0x6E,
]

/// English contraction tails glued back to their word ("don't" → "dont", "user's" → "users").
private let contractionTails: Set<[UInt8]> = [
    Array("t".utf8), Array("s".utf8), Array("re".utf8), Array("ll".utf8), Array("ve".utf8), Array("d".utf8),
    Array("m".utf8),
]

@inline(__always) func injIsCJK(_ v: UInt32) -> Bool {
    switch v {
    case 0x3040 ... 0x30FA, 0x30FC ... 0x30FF, 0x3400 ... 0x4DBF, 0x4E00 ... 0x9FFF, 0xF900 ... 0xFAFF,
         0x31F0 ... 0x31FF, 0x3005 ... 0x3007, 0xFF66 ... 0xFF9F, 0x20000 ... 0x2FFFF:
        return true
    default:
        return false
    }
}

/// Maps look-alike letters from other blocks (full-width forms, mathematical alphanumerics,
/// circled and squared letters, Unicode tag characters) to ASCII; nil when the scalar is none of them.
@inline(__always) private func asciiLookalike(_ v: UInt32) -> UInt32? {
    switch v {
    case 0xFF01 ... 0xFF5E: return v - 0xFEE0
    case 0xE0020 ... 0xE007E: return v - 0xE0000 // invisible "tag" characters smuggling ASCII
    case 0x1D400 ... 0x1D6A3:
        let k = (v - 0x1D400) % 52
        return k < 26 ? 0x41 + k : 0x61 + (k - 26)
    case 0x1D7CE ... 0x1D7FF: return 0x30 + (v - 0x1D7CE) % 10
    case 0x24B6 ... 0x24CF: return 0x41 + (v - 0x24B6)
    case 0x24D0 ... 0x24E9: return 0x61 + (v - 0x24D0)
    case 0x249C ... 0x24B5: return 0x61 + (v - 0x249C)
    case 0x1F130 ... 0x1F149: return 0x41 + (v - 0x1F130)
    case 0x1F150 ... 0x1F169: return 0x41 + (v - 0x1F150)
    case 0x1F170 ... 0x1F189: return 0x41 + (v - 0x1F170)
    case 0x1F1E6 ... 0x1F1FF: return 0x41 + (v - 0x1F1E6)
    default: return nil
    }
}

/// Scalars dropped without breaking the word: zero-width characters, joiners, BOM, variation
/// selectors, soft hyphen, unused tag characters.
@inline(__always) private func isInvisible(_ v: UInt32) -> Bool {
    switch v {
    case 0x200B ... 0x200F, 0x2060 ... 0x2064, 0x206A ... 0x206F, 0xFEFF, 0x00AD, 0x034F, 0x180E,
         0xFE00 ... 0xFE0F, 0xE0000 ... 0xE007F, 0xE0100 ... 0xE01EF, 0x061C:
        return true
    default:
        return false
    }
}

/// A growable byte buffer without the uniqueness checks of `Array.append` (the tokenizer writes
/// every byte of the text through it).
struct InjByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    private mutating func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        p.update(from: base, count: count)
        base.deallocate()
        base = p
        capacity = c
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = b
        count += 1
    }

    @inline(__always) mutating func append<C: Collection>(contentsOf c: C) where C.Element == UInt8 {
        if count + c.count > capacity { grow(count + c.count) }
        for b in c {
            base[count] = b
            count += 1
        }
    }

    @inline(__always) subscript(i: Int) -> UInt8 {
        get { base[i] }
        set { base[i] = newValue }
    }

    var last: UInt8? { count > 0 ? base[count - 1] : nil }

    /// Drops the bytes from `from` on.
    mutating func truncate(_ from: Int) { count = min(count, from) }

    subscript(r: Range<Int>) -> [UInt8] { Array(UnsafeBufferPointer(start: base + r.lowerBound, count: r.count)) }

    func toArray() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// The tokenizer state machine. `lexiconMode` tokenizes a lexicon entry: no obfuscation passes,
/// and each run of CJK characters is one token.
struct InjTokenizer {
    private(set) var out = InjNormalizedText()
    private var bytes: InjByteSink
    private let fold = InjFoldTable.shared
    private let lexiconMode: Bool

    // The token being built.
    private var tokStart = -1
    private var tokOrigStart = 0
    private var tokOrigEnd = 0
    private var upper = 0, lower = 0, digits = 0, latin = 0, otherScript = 0
    private var onePositions: [Int] = []
    private var firstUpper = false
    private var lastWasLower = false
    /// Lower-case letters since the last capital: camelCase splits only after a run of two or more
    /// ("IgnorePrevious"), not inside aLtErNaTiNg case ("iGnOrE").
    private var lowerRun = 0
    private var aposNorm = -1, aposOrig = -1

    // Separators since the last token.
    private var boundary: UInt8 = 0
    private var gap = 0
    private var newlines = 0
    private var sawNewline = true
    private var sawDot = false
    private var sawOtherSeparator = false
    private var inQuote = false
    private var quoteJustOpened = false
    private var inComment = false
    private var colonEligible = false

    init(lexiconMode: Bool = false) {
        self.lexiconMode = lexiconMode
        self.bytes = InjByteSink(capacity: 256)
    }

    static func tokenize(_ text: String, lexiconMode: Bool = false) -> InjNormalizedText {
        var t = InjTokenizer(lexiconMode: lexiconMode)
        var s = text
        s.withUTF8 { buf in t.run(buf) }
        t.out.bytes = t.bytes.toArray()
        t.bytes.free()
        return t.out
    }

    // MARK: - The byte loop

    mutating func run(_ buf: UnsafeBufferPointer<UInt8>) {
        out.tokens.reserveCapacity(buf.count / 5 + 4)
        let n = buf.count
        var i = 0
        while i < n {
            let b = buf[i]
            if b < 0x80 {
                i = ascii(UInt32(b), buf, i, i + 1)
                continue
            }
            var v: UInt32
            var len: Int
            if b < 0xE0 {
                v = (UInt32(b & 0x1F) << 6) | UInt32(buf[i + 1] & 0x3F); len = 2
            } else if b < 0xF0 {
                v = (UInt32(b & 0x0F) << 12) | (UInt32(buf[i + 1] & 0x3F) << 6) | UInt32(buf[i + 2] & 0x3F); len = 3
            } else {
                v = (UInt32(b & 0x07) << 18) | (UInt32(buf[i + 1] & 0x3F) << 12) | (UInt32(buf[i + 2] & 0x3F) << 6)
                    | UInt32(buf[i + 3] & 0x3F)
                len = 4
            }
            let end = i + len
            if v >= 0xE0020 && v <= 0xE007E { out.tagCharacters += 1 }
            if let a = asciiLookalike(v) {
                if a < 0x80 {
                    let isPunct = !((a >= 0x30 && a <= 0x39) || (a | 0x20 >= 0x61 && a | 0x20 <= 0x7A))
                    if isPunct && v >= 0xFF01 && v <= 0xFF5E {
                        // Full-width punctuation (CJK text): sentence marks end a sentence without a space.
                        fullwidthPunct(a, i, end)
                    } else {
                        _ = ascii(a, buf, i, end, mapped: true)
                    }
                }
                i = end
                continue
            }
            if isInvisible(v) { i = end; continue }
            if v < InjFoldTable.limit {
                switch fold.kind[Int(v)] {
                case InjFoldTable.Kind.letter.rawValue:
                    letter(fold.folded[Int(v)], i, end, isUpper: false, isLower: true,
                           other: fold.script[Int(v)] == 1)
                case InjFoldTable.Kind.skip.rawValue:
                    if tokStart >= 0 { tokOrigEnd = end }
                default:
                    separator(v, buf, i, end)
                }
                i = end
                continue
            }
            if injIsCJK(v) {
                cjk(buf, i, end)
                i = end
                continue
            }
            switch v {
            case 0x0300 ... 0x036F, 0x1AB0 ... 0x1AFF, 0x1DC0 ... 0x1DFF, 0x20D0 ... 0x20FF:
                if tokStart >= 0 { tokOrigEnd = end }
            case 0x1E00 ... 0x1EFF, 0x0530 ... 0x058F:
                // Latin Extended Additional (Vietnamese) and Armenian: fold through Foundation.
                foldSlow(v, buf, i, end)
            default:
                if let s = Unicode.Scalar(v), s.properties.isAlphabetic {
                    letter(Array(buf[i ..< end]), i, end, isUpper: false, isLower: true, other: false)
                } else {
                    separator(v, buf, i, end)
                }
            }
            i = end
        }
        finishToken()
    }

    private mutating func foldSlow(_ v: UInt32, _ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) {
        guard let s = Unicode.Scalar(v) else { return }
        let f = String(Character(s)).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        letter(Array(f.utf8), i, end, isUpper: false, isLower: true, other: false)
    }

    /// One ASCII scalar at `buf[i..<end]`; returns where to continue (a URL is consumed whole).
    private mutating func ascii(_ a: UInt32, _ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int,
                                mapped: Bool = false) -> Int {
        switch a {
        case 0x61 ... 0x7A: // a-z
            if (a == 0x68 || a == 0x77) && tokStart < 0 && !mapped && !lexiconMode, let e = urlEnd(buf, i) {
                return url(buf, i, e)
            }
            letterASCII(UInt8(a), i, end, upper: false)
        case 0x41 ... 0x5A: // A-Z
            if (a == 0x48 || a == 0x57) && tokStart < 0 && !mapped && !lexiconMode, let e = urlEnd(buf, i) {
                return url(buf, i, e)
            }
            // camelCase splits before a capital that starts a word ("IgnorePrevious"), not inside
            // an acronym ("OpenAI", "ChatGPT").
            let nextLower = end < buf.count && buf[end] >= 0x61 && buf[end] <= 0x7A
            letterASCII(UInt8(a | 0x20), i, end, upper: true, wordStart: nextLower)
        case 0x30 ... 0x39:
            digit(UInt8(a), i, end)
        case 0x27: // '
            if tokStart >= 0 && aposNorm < 0 && !lastByteIsDigit() && end < buf.count && isWordByte(buf[end]) {
                aposNorm = bytes.count
                aposOrig = i
                tokOrigEnd = end
            } else {
                separator(a, buf, i, end)
            }
        case 0x40: // @
            if tokStart >= 0 && end < buf.count && isAlnum(buf[end]) {
                if !mapped && !lexiconMode, let e = emailEnd(buf, end) {
                    // An e-mail address: the whole address becomes one "url" token.
                    let start = tokOrigStart
                    discardToken()
                    emitSpecial(Array("url".utf8), start, e, flags: .url)
                    return e
                }
                leet(0x61, i, end) // '@' inside a word reads as 'a'
            } else {
                separator(a, buf, i, end)
            }
        case 0x24: // $
            if tokStart >= 0 && end < buf.count && isAlpha(buf[end]) { leet(0x73, i, end) } else { separator(a, buf, i, end) }
        default:
            separator(a, buf, i, end)
        }
        return end
    }

    private func lastByteIsDigit() -> Bool {
        guard let last = bytes.last, tokStart >= 0, bytes.count > tokStart else { return false }
        return last >= 0x30 && last <= 0x39
    }

    @inline(__always) private func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) private func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || (b >= 0x30 && b <= 0x39) }
    @inline(__always) private func isWordByte(_ b: UInt8) -> Bool { isAlpha(b) || b >= 0xC0 }

    // MARK: - Letters

    private mutating func beginToken(_ i: Int) {
        tokStart = bytes.count
        tokOrigStart = i
        upper = 0; lower = 0; digits = 0; latin = 0; otherScript = 0
        firstUpper = false
        onePositions.removeAll(keepingCapacity: true)
        lastWasLower = false
        aposNorm = -1; aposOrig = -1
        lowerRun = 0
    }

    @inline(__always) private mutating func letterASCII(_ b: UInt8, _ i: Int, _ end: Int, upper isUpper: Bool,
                                                        wordStart: Bool = false) {
        if cjkRun && tokStart >= 0 { finishToken() }
        if isUpper && wordStart && lastWasLower && lowerRun >= 2 && tokStart >= 0 && aposNorm < 0 {
            // camelCase: "IgnorePreviousInstructions" reads as three words.
            finishToken()
        }
        if tokStart < 0 { beginToken(i); firstUpper = isUpper }
        bytes.append(b)
        tokOrigEnd = end
        latin += 1
        if isUpper { upper += 1; lowerRun = 0 } else { lower += 1; lowerRun += 1 }
        lastWasLower = !isUpper
    }

    private mutating func letter(_ folded: [UInt8], _ i: Int, _ end: Int, isUpper: Bool, isLower: Bool, other: Bool) {
        if cjkRun && tokStart >= 0 { finishToken() }
        if tokStart < 0 { beginToken(i) }
        bytes.append(contentsOf: folded)
        tokOrigEnd = end
        if other { otherScript += 1 } else if folded.count == 1 { latin += 1 }
        lower += 1
        lastWasLower = false
    }

    private mutating func digit(_ b: UInt8, _ i: Int, _ end: Int) {
        if cjkRun && tokStart >= 0 { finishToken() }
        if tokStart < 0 { beginToken(i) }
        if b == 0x31 { onePositions.append(bytes.count - tokStart) }
        bytes.append(b)
        tokOrigEnd = end
        digits += 1
        lastWasLower = false
    }

    private mutating func leet(_ b: UInt8, _ i: Int, _ end: Int) {
        bytes.append(b)
        tokOrigEnd = end
        latin += 1
        lower += 1
    }

    private mutating func cjk(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) {
        if lexiconMode {
            // A lexicon entry keeps each CJK run as one word.
            if tokStart >= 0 && !cjkRun { finishToken() }
            if tokStart < 0 { beginToken(i) }
            bytes.append(contentsOf: buf[i ..< end])
            tokOrigEnd = end
            cjkRun = true
            return
        }
        finishToken()
        beginToken(i)
        bytes.append(contentsOf: buf[i ..< end])
        tokOrigEnd = end
        cjkRun = true
        finishToken()
    }

    private var cjkRun = false

    // MARK: - Separators

    private mutating func separator(_ v: UInt32, _ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) {
        let hadToken = tokStart >= 0
        finishToken()
        if gap < 255 { gap += 1 }
        // The next byte, skipping zero-width characters ("west.\u{200B} Ignore…" still ends a sentence).
        var nx = end
        while nx + 2 < buf.count && ((buf[nx] == 0xE2 && buf[nx + 1] == 0x80 && buf[nx + 2] >= 0x8B && buf[nx + 2] <= 0x8F)
            || (buf[nx] == 0xE2 && buf[nx + 1] == 0x81 && buf[nx + 2] == 0xA0) || (buf[nx] == 0xEF && buf[nx + 1] == 0xBB
            && buf[nx + 2] == 0xBF)) { nx += 3 }
        let next: UInt8 = nx < buf.count ? buf[nx] : 0x20
        let nextIsSpaceOrEnd = end >= buf.count || next == 0x20 || next == 0x0A || next == 0x0D || next == 0x09
        switch v {
        case 0x20, 0x09, 0x0D, 0xA0, 0x3000, 0x2000 ... 0x200A, 0x202F, 0x205F:
            return
        case 0x0A, 0x0B, 0x0C, 0x2028, 0x2029:
            newlines += 1
            sawNewline = true
            boundary = max(boundary, newlines >= 2 ? 2 : 1)
            inQuote = false
            colonEligible = false
            return
        case 0x2C, 0x3001, 0xFF64: // , 、
            boundary = max(boundary, 1)
            if colonEligible, let k = out.tokens.indices.last { out.tokens[k].flags.insert(.commaAfter) }
            colonEligible = false
        case 0x3A: // :
            if nextIsSpaceOrEnd || next >= 0x80 || next == 0x2A || next == 0x22 || next == 0x27 {
                boundary = max(boundary, 1)
                if colonEligible, let k = out.tokens.indices.last { out.tokens[k].flags.insert(.colonAfter) }
            }
            colonEligible = false
        case 0x3B where !nextIsSpaceOrEnd && isAlnum(next): // "TL;DR"
            colonEligible = false
        case 0x3B, 0x2026, 0x3002, 0xFF61: // ; … 。
            boundary = 2
            colonEligible = false
        case 0x2E, 0x21, 0x3F: // . ! ?
            if v == 0x2E && hadToken, let last = out.tokens.last, last.end - last.start == 1, !last.isCJK {
                // "a.u.b.", "z.B.", "e.g.": a dot after a single letter is an abbreviation, unless a
                // capital letter follows ("P.S. Language models: …").
                let after = end + 1 < buf.count ? buf[end + 1] : 0
                if !(next == 0x20 && after >= 0x41 && after <= 0x5A) {
                    sawDot = !nextIsSpaceOrEnd
                    return
                }
            }
            if nextIsSpaceOrEnd || !(isAlnum(next) || next >= 0x80) {
                boundary = 2
            } else if v == 0x2E && hadToken {
                sawDot = true
                return
            }
            colonEligible = false
        case 0x7C, 0x2013, 0x2014, 0x2015, 0x2022, 0xB7, 0x30FB, 0x23, 0x28, 0x5B, 0x7B:
            boundary = max(boundary, 1)
            colonEligible = false
        case 0x22, 0x60, 0xAB, 0xBB, 0x201C, 0x201D, 0x201E, 0x201F, 0x2039, 0x203A, 0x300C, 0x300D, 0x300E,
             0x300F, 0xFF02:
            toggleQuote(v)
        case 0x27, 0x2018, 0x2019, 0x201A, 0x201B:
            // A single quote at a word edge opens or closes a quotation (apostrophes inside words
            // never reach here).
            toggleQuote(v)
        case 0x3C: // < (an HTML tag separates clauses)
            if end + 2 < buf.count && buf[end] == 0x21 && buf[end + 1] == 0x2D && buf[end + 2] == 0x2D { inComment = true }
            boundary = max(boundary, 1)
            colonEligible = false
        case 0x3E: // >
            if i >= 2 && buf[i - 1] == 0x2D && buf[i - 2] == 0x2D { inComment = false }
            boundary = max(boundary, 1)
            colonEligible = false
        case 0x2A, 0x5F, 0x5D, 0x29, 0x7E:
            // Markup (* _ # ] ) ~) between a word and its colon: "**Note to AI**:".
            break
        default:
            colonEligible = false
        }
        sawOtherSeparator = true
    }

    private mutating func toggleQuote(_ v: UInt32) {
        switch v {
        case 0xAB, 0x300C, 0x300E, 0x2039: inQuote = true; quoteJustOpened = true
        case 0xBB, 0x300D, 0x300F, 0x203A: inQuote = false
        default:
            inQuote.toggle()
            quoteJustOpened = inQuote
        }
    }

    private mutating func fullwidthPunct(_ a: UInt32, _ i: Int, _ end: Int) {
        finishToken()
        if gap < 255 { gap += 1 }
        switch a {
        case 0x21, 0x3F, 0x2E, 0x3B: boundary = 2
        case 0x2C, 0x3A:
            boundary = max(boundary, 1)
            if a == 0x3A, colonEligible, let k = out.tokens.indices.last { out.tokens[k].flags.insert(.colonAfter) }
        case 0x22, 0x27: toggleQuote(a)
        case 0x3C, 0x3E, 0x28, 0x29, 0x5B, 0x5D: break
        default: boundary = max(boundary, 1)
        }
        sawOtherSeparator = true
        colonEligible = false
    }

    // MARK: - URLs and e-mail addresses

    /// The end of a URL starting at `i` ("http://", "https://", "www."), or nil.
    private func urlEnd(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = buf.count
        func has(_ s: StaticString) -> Bool {
            let len = s.utf8CodeUnitCount
            guard i + len <= n else { return false }
            let p = s.utf8Start
            for k in 0 ..< len where buf[i + k] | 0x20 != p[k] | 0x20 { return false }
            return true
        }
        guard has("http://") || has("https://") || has("www.") else { return nil }
        var j = i
        var depth = 0
        while j < n {
            let c = buf[j]
            if c <= 0x20 || c == 0x22 || c == 0x3C || c == 0x3E || c == 0x60 || c >= 0x80 { break }
            if c == 0x28 { depth += 1 }
            if c == 0x29 { if depth == 0 { break }; depth -= 1 }
            if c == 0x5D && depth == 0 { break }
            j += 1
        }
        // Trailing sentence punctuation is not part of the URL.
        while j > i, let c = Optional(buf[j - 1]), c == 0x2E || c == 0x2C || c == 0x3B || c == 0x3A || c == 0x21
            || c == 0x3F || c == 0x27 {
            j -= 1
        }
        return j > i + 4 ? j : nil
    }

    private mutating func url(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ e: Int) -> Int {
        var flags: InjTokenFlags = .url
        // A query with a placeholder: ?q={conversation}, ?d=$SECRET, ?x=[DATA], ?m=<message>.
        var query = false
        var k = i
        while k < e {
            let c = buf[k]
            if c == 0x3F || c == 0x26 || c == 0x3D { query = true }
            if query && (c == 0x7B || c == 0x24 || c == 0x5B || c == 0x3C || (c == 0x25 && k + 2 < e
                    && buf[k + 1] == 0x37 && buf[k + 2] | 0x20 == 0x62)) {
                flags.insert(.urlTemplate)
                break
            }
            k += 1
        }
        // A query that ends in '=' waits for something to be appended ("?data=").
        if query && e > i && buf[e - 1] == 0x3D { flags.insert(.urlTemplate) }
        emitSpecial(Array("url".utf8), i, e, flags: flags)
        return e
    }

    /// The end of the domain of an e-mail address whose '@' precedes `j`, or nil.
    private func emailEnd(_ buf: UnsafeBufferPointer<UInt8>, _ j: Int) -> Int? {
        var k = j
        var dotThenAlpha = false
        while k < buf.count {
            let c = buf[k]
            if isAlnum(c) || c == 0x2D { k += 1; continue }
            if c == 0x2E && k + 1 < buf.count && isAlpha(buf[k + 1]) { dotThenAlpha = true; k += 1; continue }
            break
        }
        return dotThenAlpha ? k : nil
    }

    private mutating func discardToken() {
        if tokStart >= 0 { bytes.truncate(tokStart) }
        tokStart = -1
    }

    private mutating func emitSpecial(_ text: [UInt8], _ s: Int, _ e: Int, flags: InjTokenFlags) {
        finishToken()
        beginToken(s)
        bytes.append(contentsOf: text)
        tokOrigEnd = e
        lower = text.count
        latin = text.count
        finishToken(extraFlags: flags)
    }

    // MARK: - Finishing a token

    private mutating func finishToken(extraFlags: InjTokenFlags = []) {
        guard tokStart >= 0 else { return }
        defer { tokStart = -1; cjkRun = false }
        var end = bytes.count
        if end == tokStart { return }

        // Leetspeak: digits inside a word with letters ("1gn0r3", "pr3v10us").
        var leetOnes = false
        if digits > 0 && latin > 0 && !cjkRun {
            for k in tokStart ..< end {
                switch bytes[k] {
                case 0x30: bytes[k] = 0x6F // 0 → o
                case 0x31: bytes[k] = 0x69 // 1 → i (and l: see altHash)
                case 0x33: bytes[k] = 0x65 // 3 → e
                case 0x34: bytes[k] = 0x61 // 4 → a
                case 0x35: bytes[k] = 0x73 // 5 → s
                case 0x37: bytes[k] = 0x74 // 7 → t
                case 0x38: bytes[k] = 0x62 // 8 → b
                default: break
                }
            }
            leetOnes = !onePositions.isEmpty
        }

        // Homoglyphs: Cyrillic or Greek look-alikes inside a Latin word.
        if otherScript > 0 && latin > 0 && !cjkRun {
            var rebuilt: [UInt8] = []
            rebuilt.reserveCapacity(end - tokStart)
            var k = tokStart
            while k < end {
                let b = bytes[k]
                if b >= 0xC0 && b < 0xE0 && k + 1 < end {
                    let v = (UInt32(b & 0x1F) << 6) | UInt32(bytes[k + 1] & 0x3F)
                    if let a = homoglyphs[v] { rebuilt.append(a) } else { rebuilt.append(b); rebuilt.append(bytes[k + 1]) }
                    k += 2
                } else {
                    rebuilt.append(b)
                    k += 1
                }
            }
            bytes.truncate(tokStart)
            bytes.append(contentsOf: rebuilt)
            end = bytes.count
        }

        // An apostrophe inside the word: English contractions are glued ("don't" → "dont"),
        // elisions are split ("l'instruction" → "l", "instruction").
        if aposNorm >= 0 && aposNorm > tokStart && aposNorm < end {
            let tail = Array(bytes[aposNorm ..< end])
            if !contractionTails.contains(tail) {
                let firstEnd = aposNorm
                pushToken(start: tokStart, end: firstEnd, origStart: tokOrigStart, origEnd: aposOrig, flags: extraFlags,
                          leetOnes: false)
                pushToken(start: firstEnd, end: end, origStart: aposOrig + 1, origEnd: tokOrigEnd, flags: extraFlags,
                          leetOnes: false, continuation: true)
                return
            }
        }
        pushToken(start: tokStart, end: end, origStart: tokOrigStart, origEnd: tokOrigEnd, flags: extraFlags,
                  leetOnes: leetOnes && otherScript == 0)
    }

    private mutating func pushToken(start: Int, end: Int, origStart: Int, origEnd: Int, flags extra: InjTokenFlags,
                                    leetOnes: Bool, continuation: Bool = false) {
        var flags = extra
        if !continuation {
            if upper >= 2 && lower == 0 { flags.insert(.allCaps) }
            if firstUpper && upper == 1 && lower > 0 { flags.insert(.capitalized) }
        }
        if cjkRun { flags.insert(.cjk) }
        if inQuote { flags.insert(.inQuote) }
        if quoteJustOpened && inQuote && !continuation { flags.insert(.quoteStart) }
        if inComment { flags.insert(.inComment) }
        if sawNewline && !continuation { flags.insert(.lineStart) }
        if sawDot && !sawOtherSeparator && !continuation && gap == 1 { flags.insert(.dotBefore) }
        var h = injFNVOffset
        for k in start ..< end { h = injFNVStep(h, bytes[k]) }
        var altHash: UInt64 = 0
        if leetOnes {
            // The other reading of leet '1': 'l' ("a11" → "all").
            var a = injFNVOffset
            var next = 0
            for k in start ..< end {
                var b = bytes[k]
                if next < onePositions.count && onePositions[next] == k - start { b = 0x6C; next += 1 }
                a = injFNVStep(a, b)
            }
            altHash = a
        }
        let t = InjToken(start: Int32(start), end: Int32(end), origStart: Int32(origStart), origEnd: Int32(origEnd),
                          boundary: continuation ? 0 : boundary, gapBefore: continuation ? 0 : UInt8(min(gap, 255)),
                          flags: flags, hash: h, altHash: altHash)
        out.tokens.append(t)
        if !continuation {
            boundary = 0
            gap = 0
            newlines = 0
            sawNewline = false
            sawDot = false
            sawOtherSeparator = false
            quoteJustOpened = false
        }
        colonEligible = true
    }

}
