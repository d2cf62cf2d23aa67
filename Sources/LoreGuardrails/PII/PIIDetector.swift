/// Finds personal data and secrets in text, and redacts them.
///
/// Every format is recognised by a hand-written scanner over the text's UTF-8 bytes (no regular
/// expressions) in one left-to-right pass: scanners start only at the beginning of a token (a byte
/// not glued to a letter, digit or underscore on its left), or at `@` for e-mail addresses, and
/// each one reads a bounded number of bytes, so the time is linear in the length of the text
/// (a few microseconds for 2 KB in release builds).
///
/// Checksums and structure keep look-alikes out: cards must pass Luhn and carry a known issuer
/// prefix, IBANs mod-97 and their country's length; phone numbers need a `+`/`00` prefix or a
/// grouped national shape, and a phone's extension (`x1234`, ` ext. 12`) is part of its match;
/// dates, versions, times, MAC addresses, UUIDs and hashes do not match.
///
/// Plain digit runs (order numbers, ids, timestamps) are neither phones nor SSNs, unless the
/// words just before them say they are (``PIIContextWords``): `call 5085550143`,
/// `Phone: 2125550199`, `SSN: 078051120`, `social security number 078051120`.
///
/// Overlapping candidates are resolved before the kinds are filtered: the longer match wins, and
/// between two of the same length the more specific kind (secrets, then IBAN, card, SSN, e-mail,
/// IPv6, IPv4, phone). So a disabled kind still claims its text: with cards disabled, the digits
/// of a card number are not reported as something else.
///
/// Rules worth knowing:
/// - An IPv4 address right after the word "version", "ver", "v", "build", "release" or
///   "firmware" (`version 1.2.3.4`, `Build: 10.0.1.2`) is taken for a version number and skipped;
///   `v1.2.3.4` and `1.2.3.4.5` are never addresses.
/// - A text with `-----BEGIN ... PRIVATE KEY-----` and no matching END line is redacted from
///   the BEGIN line to the end of the text.
public struct PIIDetector: Sendable {
    /// The kinds this detector reports.
    public let kinds: Set<PIIKind>
    private let mask: UInt32

    /// A detector for `kinds` (all of them by default).
    public init(kinds: Set<PIIKind> = Set(PIIKind.allCases)) {
        self.kinds = kinds
        var mask: UInt32 = 0
        for kind in kinds { mask |= Self.bit(kind) }
        self.mask = mask
    }

    /// Non-overlapping matches in order of position (on overlap, the longer/more specific wins).
    ///
    /// Ranges are UTF-8 byte offsets into `text`.
    public func find(in text: String) -> [PIIMatch] {
        if mask == 0 || text.isEmpty { return [] }
        var text = text
        return text.withUTF8 { find(in: $0) }
    }

    /// `text` with each match replaced by its kind's placeholder, and the matches (ranges in the ORIGINAL text).
    ///
    /// Everything outside the matches is kept byte for byte.
    public func redact(_ text: String) -> (text: String, matches: [PIIMatch]) {
        if mask == 0 || text.isEmpty { return (text, []) }
        var text = text
        return text.withUTF8 { bytes in
            let matches = find(in: bytes)
            if matches.isEmpty { return (String(decoding: bytes, as: UTF8.self), []) }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16 * matches.count)
            var at = 0
            for match in matches {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[at..<match.utf8Range.lowerBound]))
                out.append(contentsOf: match.kind.placeholder.utf8)
                at = match.utf8Range.upperBound
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[at..<bytes.count]))
            return (String(decoding: out, as: UTF8.self), matches)
        }
    }

    /// The matches in UTF-8 `bytes`.
    func find(in bytes: UnsafeBufferPointer<UInt8>) -> [PIIMatch] {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return [] }
        let candidates = PIIText(base: base, count: bytes.count).candidates()
        if candidates.isEmpty { return [] }
        return Self.resolve(candidates).filter { mask & Self.bit($0.kind) != 0 }
    }

    private static func bit(_ kind: PIIKind) -> UInt32 { 1 << UInt32(kind.specificity) }

    /// Non-overlapping candidates in order of position: longest first, then the more specific kind,
    /// then the leftmost, each kept when it overlaps none kept before.
    static func resolve(_ candidates: [PIIMatch]) -> [PIIMatch] {
        if candidates.count == 1 { return candidates }
        let ranked = candidates.sorted { a, b in
            if a.utf8Range.count != b.utf8Range.count { return a.utf8Range.count > b.utf8Range.count }
            if a.kind.specificity != b.kind.specificity { return a.kind.specificity > b.kind.specificity }
            return a.utf8Range.lowerBound < b.utf8Range.lowerBound
        }
        var kept: [PIIMatch] = []  // sorted by position
        kept.reserveCapacity(ranked.count)
        for match in ranked {
            var lo = 0, hi = kept.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if kept[mid].utf8Range.lowerBound < match.utf8Range.lowerBound { lo = mid + 1 } else { hi = mid }
            }
            if lo > 0, kept[lo - 1].utf8Range.upperBound > match.utf8Range.lowerBound { continue }
            if lo < kept.count, kept[lo].utf8Range.lowerBound < match.utf8Range.upperBound { continue }
            kept.insert(match, at: lo)
        }
        return kept
    }
}

extension PIIText {
    /// Every candidate match, possibly overlapping, in one pass over the bytes.
    func candidates() -> [PIIMatch] {
        piiByteClasses.withUnsafeBufferPointer { classes in candidates(classes: classes) }
    }

    private func candidates(classes: UnsafeBufferPointer<UInt8>) -> [PIIMatch] {
        var out: [PIIMatch] = []
        var i = 0
        var afterWord = false  // whether byte i - 1 is a letter, digit or underscore
        while i < count {
            let c = base[i]
            let cls = classes[Int(c)]
            if cls & PIIByteClass.at != 0 {
                if let r = email(at: i) { out.append(PIIMatch(kind: .email, utf8Range: r)) }
                afterWord = false
                i += 1
                continue
            }
            if afterWord || cls & PIIByteClass.start == 0 {  // inside a token, or nothing starts here
                afterWord = cls & PIIByteClass.word != 0
                i += 1
                continue
            }
            afterWord = cls & PIIByteClass.word != 0
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                numberStart(i, into: &out)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                let previous = self[i - 1]
                if previous != UInt8(ascii: "-"), let end = secret(at: i, into: &out) {
                    i = end  // a secret's body holds no other match worth a look
                    afterWord = word(end - 1)
                    continue
                }
                if Self.isUpper(c), let end = iban(at: i) { out.append(PIIMatch(kind: .iban, utf8Range: i..<end)) }
                if Self.isHex(c), previous != UInt8(ascii: ":"), let end = ipv6(at: i) {
                    out.append(PIIMatch(kind: .ipv6, utf8Range: i..<end))
                }
            case UInt8(ascii: "+"):
                if self[i - 1] != UInt8(ascii: "+"), let end = internationalPhone(at: i) {
                    out.append(PIIMatch(kind: .phone, utf8Range: i..<end))
                }
            case UInt8(ascii: "("):
                if let end = northAmericanPhone(at: i) ?? parenthesizedTrunkPhone(at: i) {
                    out.append(PIIMatch(kind: .phone, utf8Range: i..<end))
                }
            case UInt8(ascii: ":"):
                if self[i - 1] != UInt8(ascii: ":"), let end = ipv6(at: i) {
                    out.append(PIIMatch(kind: .ipv6, utf8Range: i..<end))
                }
            case UInt8(ascii: "-"):
                if self[i - 1] != UInt8(ascii: "-"), let end = privateKey(at: i) {
                    out.append(PIIMatch(kind: .privateKey, utf8Range: i..<end))
                    i = end
                    afterWord = word(end - 1)
                    continue
                }
            default:
                break
            }
            i += 1
        }
        return out
    }

    /// The scanners for a token that starts with a digit at `i`.
    private func numberStart(_ i: Int, into out: inout [PIIMatch]) {
        if self[i - 1] != UInt8(ascii: ":"), let end = ipv6(at: i) { out.append(PIIMatch(kind: .ipv6, utf8Range: i..<end)) }
        if gluedBefore(i) { return }
        if let end = ipv4Address(at: i) { out.append(PIIMatch(kind: .ipv4, utf8Range: i..<end)) }
        if let end = card(at: i) { out.append(PIIMatch(kind: .creditCard, utf8Range: i..<end)) }
        if let end = ssn(at: i) { out.append(PIIMatch(kind: .usSSN, utf8Range: i..<end)) }
        if let end = northAmericanPhone(at: i) ?? nationalPhone(at: i) ?? contextPhone(at: i) {
            out.append(PIIMatch(kind: .phone, utf8Range: i..<end))
        }
    }

    /// A secret that starts with the letter at `i`, appended to `out`; its end.
    private func secret(at i: Int, into out: inout [PIIMatch]) -> Int? {
        let kind: PIIKind
        let end: Int
        switch self[i] {
        case UInt8(ascii: "A"):
            guard let e = awsAccessKey(at: i) else { return nil }
            (kind, end) = (.awsAccessKey, e)
        case UInt8(ascii: "s"):
            guard let e = openAIKey(at: i) else { return nil }
            (kind, end) = (.openAIKey, e)
        case UInt8(ascii: "g"):
            guard let e = githubToken(at: i) else { return nil }
            (kind, end) = (.githubToken, e)
        case UInt8(ascii: "x"):
            guard let e = slackToken(at: i) else { return nil }
            (kind, end) = (.slackToken, e)
        case UInt8(ascii: "e"):
            guard let e = jwt(at: i) else { return nil }
            (kind, end) = (.jwt, e)
        default:
            return nil
        }
        out.append(PIIMatch(kind: kind, utf8Range: i..<end))
        return end
    }
}

/// Byte classes for the main loop, one bit each.
enum PIIByteClass {
    /// A letter, digit or underscore.
    static let word: UInt8 = 1
    /// A byte a scanner may start at: a letter, digit, `+`, `(`, `:` or `-`.
    static let start: UInt8 = 2
    /// `@`, around which e-mail addresses are found.
    static let at: UInt8 = 4
}

/// The ``PIIByteClass`` bits of each byte value.
let piiByteClasses: [UInt8] = (0...255).map { (b: Int) -> UInt8 in
    let c = UInt8(b)
    var bits: UInt8 = 0
    if PIIText.isWord(c) { bits |= PIIByteClass.word }
    if PIIText.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "(") || c == UInt8(ascii: ":") || c == UInt8(ascii: "-") {
        bits |= PIIByteClass.start
    }
    if c == UInt8(ascii: "@") { bits |= PIIByteClass.at }
    return bits
}
