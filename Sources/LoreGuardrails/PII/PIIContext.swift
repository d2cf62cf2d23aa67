/// Context words: what makes a bare digit run (`5085550143`, `078051120`) a phone number or an SSN.
///
/// A bare run of digits is a phone number or a Social Security number only when the text says so
/// just before it: one of these words or phrases among the last three (phone) or four (SSN) words
/// before the number, on the same line (`call me at 5085550143`, `SSN: 078051120`, `social security no. 078051120`).
/// Words are compared in lower case (ASCII); a phrase matches consecutive words.
enum PIIContextWords {
    /// Words that name a telephone number.
    static let phone = PIIContextTable(
        words: 3,
        [
            "phone", "phones", "telephone", "tel", "tele", "telefon", "telefono", "teléfono", "téléphone", "tél",
            "call", "calls", "called", "calling", "mobile", "mobil", "cell", "cellphone", "fax", "ext", "sms",
            "whatsapp", "hotline", "contact", "handy", "portable"
        ])
    /// Words that name a US Social Security number.
    static let ssn = PIIContextTable(words: 4, ["ssn", "ssns", "social security"])
}

/// A table of context words and phrases, each as lower-case words of UTF-8 bytes.
struct PIIContextTable: Sendable {
    /// How many words before the number are looked at.
    let words: Int
    let phrases: [[[UInt8]]]

    init(words: Int, _ phrases: [String]) {
        self.words = words
        self.phrases = phrases.map { $0.split(separator: " ").map { Array($0.utf8) } }
    }
}

extension PIIText {
    /// How many bytes back at most a context word may be.
    private static let contextBytes = 48

    /// Whether a word or phrase of `table` comes among the last `table.words` words before `i`, on
    /// the same line and within 48 bytes. A word is a run of letters, digits and non-ASCII bytes (so `tél` is one word).
    func hasContext(before i: Int, _ table: PIIContextTable) -> Bool {
        var words: [ArraySlice<UInt8>] = []  // nearest first, lower case
        var lowered = [UInt8](repeating: 0, count: Self.contextBytes)
        var k = i - 1
        let limit = max(0, i - Self.contextBytes)
        while k >= limit, words.count < table.words {
            let c = self[k]
            if c == UInt8(ascii: "\n") { break }
            guard Self.isContextWordByte(c) else {
                k -= 1
                continue
            }
            let end = k + 1
            while k >= limit, Self.isContextWordByte(self[k]) { k -= 1 }
            if k >= 0, k < limit, Self.isContextWordByte(self[k]) { break }  // a word cut by the window
            let start = k + 1
            let offset = start - (i - Self.contextBytes)
            for m in start..<end {
                let b = self[m]
                lowered[m - (i - Self.contextBytes)] = Self.isUpper(b) ? b | 0x20 : b
            }
            words.append(lowered[offset..<(offset + end - start)])
        }
        for phrase in table.phrases where phrase.count <= words.count {
            let n = phrase.count
            for w in 0...(words.count - n) {
                var same = true
                for p in 0..<n where !words[w + n - 1 - p].elementsEqual(phrase[p]) {
                    same = false
                    break
                }
                if same { return true }
            }
        }
        return false
    }

    @inline(__always) private static func isContextWordByte(_ c: UInt8) -> Bool { isAlnum(c) || c >= 0x80 }
}
