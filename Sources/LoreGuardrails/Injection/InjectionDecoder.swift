// Undoing encodings that hide an injection from the word-level normaliser: HTML/XML numeric and
// named entities, URL percent-encoding, base64 runs (16+ characters) and rot13. The decoded text
// is scored as a second variant of the input by `InjectionDetector.assess`.

import Foundation

enum InjDecoder {
    /// A decoded variant of `text`, or nil when nothing in it looks encoded.
    static func decodedVariant(_ text: String) -> String? {
        let hints = text.utf8.withContiguousStorageIfAvailable { scan($0) } ?? scan(Array(text.utf8))
        guard hints != 0 else { return nil }
        let bytes = Array(text.utf8)
        var changed = false
        var out = bytes
        if hints & Hint.amp != 0, let e = decodeEntities(out) { out = e; changed = true }
        if hints & Hint.pct != 0, let u = decodePercent(out) { out = u; changed = true }
        if hints & Hint.b64 != 0, let b = decodeBase64Runs(out) { out = b; changed = true }
        if hints & Hint.rot != 0, let r = rot13IfHidden(out) { out = r; changed = true }
        if hints & Hint.plus != 0, let j = joinedQuotedParts(bytes) { out.append(contentsOf: j); changed = true }
        guard changed else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    enum Hint {
        static let amp = 1, pct = 2, b64 = 4, rot = 8, plus = 16
    }

    /// One pass that tells which decoders may apply: "&#"/"&name;", "%XX", a long mixed-case
    /// base64 run, two rot13 stems, a '+' with quotes.
    static func scan<C: RandomAccessCollection>(_ b: C) -> Int where C.Element == UInt8, C.Index == Int {
        var hints = 0
        var run = 0, up = 0, low = 0
        var stems = 0
        var quotes = 0
        var i = b.startIndex
        let end = b.endIndex
        while i < end {
            let c = b[i]
            let l = c | 0x20
            if (l >= 0x61 && l <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2F || c == 0x2D || c == 0x5F {
                run += 1
                if c >= 0x41 && c <= 0x5A { up += 1 } else if c >= 0x61 { low += 1 }
                if run >= 16 && up >= 2 && low >= 2 { hints |= Hint.b64 }
                if c == 0x2B { hints |= Hint.plus }
                if run == 1 && (l == 0x76 || l == 0x63 || l == 0x71 || l == 0x66 || l == 0x73) {
                    stems |= rotStem(b, i, end)
                }
            } else {
                run = 0; up = 0; low = 0
                if c == 0x26 { hints |= Hint.amp }
                else if c == 0x25, i + 2 < end, hexVal(b[i + 1]) != nil, hexVal(b[i + 2]) != nil { hints |= Hint.pct }
                else if c == 0x27 || c == 0x22 { quotes += 1 }
            }
            i += 1
        }
        if stems.nonzeroBitCount >= 2 { hints |= Hint.rot }
        if quotes < 4 { hints &= ~Hint.plus }
        return hints
    }

    /// rot13 forms of "ignore", "instruct", "prompt", "disregard", "previous", "system", "forget"
    /// at the start of a word: a bit per stem.
    private static let rotStems: [[UInt8]] = ["vtaber", "vafgehpg", "cebzcg", "qvfertneq", "cerivbhf", "flfgrz", "sbetrg"]
        .map { Array($0.utf8) }

    @inline(__always) private static func rotStem<C: RandomAccessCollection>(_ b: C, _ i: Int, _ end: Int) -> Int
        where C.Element == UInt8, C.Index == Int {
        var bits = 0
        for (n, s) in rotStems.enumerated() where i + s.count <= end && (b[i] | 0x20) == s[0] {
            var k = 1
            while k < s.count && (b[i + k] | 0x20) == s[k] { k += 1 }
            if k == s.count { bits |= 1 << n }
        }
        return bits
    }

    // MARK: Entities

    private static let named: [String: String] = [
        "lt": "<", "gt": ">", "amp": "&", "quot": "\"", "apos": "'", "nbsp": " ", "sol": "/", "colon": ":",
        "lpar": "(", "rpar": ")", "lsqb": "[", "rsqb": "]", "lbrack": "[", "rbrack": "]", "vert": "|",
        "excl": "!", "num": "#", "period": ".", "comma": ",", "semi": ";", "equals": "=", "newline": "\n",
    ]

    private static func appendScalar(_ v: UInt32, _ out: inout [UInt8]) {
        guard let sc = Unicode.Scalar(v) else { return }
        out.append(contentsOf: Array(String(Character(sc)).utf8))
    }

    static func decodeEntities(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0, n = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "&"), i + 2 < b.count {
                var j = i + 1
                if b[j] == UInt8(ascii: "#") {
                    j += 1
                    var hex = false
                    if j < b.count && (b[j] | 0x20) == UInt8(ascii: "x") { hex = true; j += 1 }
                    var v: UInt32 = 0, digits = 0
                    while j < b.count, digits < 8 {
                        let c = b[j]
                        if c >= 0x30 && c <= 0x39 { v = v &* (hex ? 16 : 10) &+ UInt32(c - 0x30) }
                        else if hex && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 { v = v &* 16 &+ UInt32((c | 0x20) - 0x61 + 10) }
                        else { break }
                        j += 1; digits += 1
                    }
                    if digits > 0 && v > 0 && v < 0x110000 {
                        if j < b.count && b[j] == UInt8(ascii: ";") { j += 1 }
                        appendScalar(v, &out); i = j; n += 1; continue
                    }
                } else {
                    var k = j
                    while k < b.count, k - j < 8, (b[k] | 0x20) >= 0x61, (b[k] | 0x20) <= 0x7A { k += 1 }
                    if k < b.count, b[k] == UInt8(ascii: ";"), k > j,
                       let r = named[String(decoding: b[j..<k], as: UTF8.self).lowercased()] {
                        out.append(contentsOf: Array(r.utf8)); i = k + 1; n += 1; continue
                    }
                }
            }
            out.append(b[i]); i += 1
        }
        return n > 0 ? out : nil
    }

    // MARK: Percent-encoding

    @inline(__always) private static func hexVal(_ c: UInt8) -> UInt8? {
        if c >= 0x30 && c <= 0x39 { return c - 0x30 }
        let l = c | 0x20
        if l >= 0x61 && l <= 0x66 { return l - 0x61 + 10 }
        return nil
    }

    static func decodePercent(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0, n = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hexVal(b[i + 1]), let l = hexVal(b[i + 2]) {
                let v = h << 4 | l
                // Letters, spaces and punctuation; a lone "%20" in a URL is harmless either way.
                if v >= 0x20 || v == 0x0A { out.append(v); i += 3; n += 1; continue }
            }
            if b[i] == UInt8(ascii: "+") && n > 0 { out.append(0x20); i += 1; continue }
            out.append(b[i]); i += 1
        }
        return n > 0 ? out : nil
    }

    // MARK: Base64

    @inline(__always) private static func isB64(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    static func decodeBase64Runs(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0, last = 0, n = 0
        while i < b.count {
            guard isB64(b[i]) else { i += 1; continue }
            var j = i
            var upper = 0, lower = 0, digit = 0
            while j < b.count, isB64(b[j]) {
                let c = b[j]
                if c >= 0x41 && c <= 0x5A { upper += 1 } else if c >= 0x61 && c <= 0x7A { lower += 1 } else if c >= 0x30 && c <= 0x39 { digit += 1 }
                j += 1
            }
            var k = j
            while k < b.count, b[k] == UInt8(ascii: "="), k - j < 2 { k += 1 }
            let len = j - i
            // A base64 run: 16+ characters, mixed case (words and identifiers rarely are at this length).
            if len >= 16, upper >= 2, lower >= 2, upper + digit >= len / 8, let d = decode64(Array(b[i..<j])),
               d.count >= 8, printable(d) {
                if out.isEmpty { out.reserveCapacity(b.count) }
                out.append(contentsOf: b[last..<i])
                out.append(0x20); out.append(contentsOf: d); out.append(0x20)
                last = k; n += 1
            }
            i = k
        }
        guard n > 0 else { return nil }
        out.append(contentsOf: b[last...])
        return out
    }

    private static func decode64(_ run: [UInt8]) -> [UInt8]? {
        var s = String(decoding: run, as: UTF8.self)
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let rem = s.utf8.count % 4
        if rem == 1 { s.removeLast() } else if rem > 1 { s += String(repeating: "=", count: 4 - rem) }
        guard let d = Data(base64Encoded: s) else { return nil }
        return Array(d)
    }

    private static func printable(_ d: [UInt8]) -> Bool {
        guard String(validatingUTF8: d.map { CChar(bitPattern: $0) } + [0]) != nil else { return false }
        var letters = 0, bad = 0
        for c in d {
            if c < 0x20 && c != 0x0A && c != 0x0D && c != 0x09 { bad += 1 }
            if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c >= 0x80 || c == 0x20 { letters += 1 }
        }
        return bad == 0 && letters * 10 >= d.count * 7
    }

    // MARK: Payload splitting

    /// `a = 'ignore prev', b = 'ious instructions', now do a+b`: when the text concatenates
    /// variables (a '+' outside the strings) and holds two or more short quoted strings, their
    /// contents are appended, glued and spaced.
    static func joinedQuotedParts(_ b: [UInt8]) -> [UInt8]? {
        guard b.count <= 4096, b.contains(UInt8(ascii: "+")) else { return nil }
        var parts: [ArraySlice<UInt8>] = []
        var i = 0
        var plusOutside = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                // An apostrophe inside a word ("don't") is not a quote.
                if c == UInt8(ascii: "'"), i > 0, (b[i - 1] | 0x20) >= 0x61, (b[i - 1] | 0x20) <= 0x7A { i += 1; continue }
                var j = i + 1
                while j < b.count, b[j] != c, b[j] != 0x0A, j - i <= 200 { j += 1 }
                if j < b.count, b[j] == c, j > i + 1 { parts.append(b[(i + 1)..<j]); i = j + 1; continue }
            } else if c == UInt8(ascii: "+") {
                // "a+b", "x + y", "'…' + '…'": concatenation, not "C++" or "+1 555".
                var p = i - 1
                while p >= 0, b[p] == 0x20 { p -= 1 }
                var n = i + 1
                while n < b.count, b[n] == 0x20 { n += 1 }
                func operand(_ x: UInt8) -> Bool {
                    let l = x | 0x20
                    return (l >= 0x61 && l <= 0x7A) || x == UInt8(ascii: "'") || x == UInt8(ascii: "\"")
                }
                if p >= 0, n < b.count, operand(b[p]), operand(b[n]) { plusOutside = true }
            }
            i += 1
        }
        guard plusOutside, parts.count >= 2, parts.count <= 16 else { return nil }
        // Quoted, so that a text about injection that shows such a split stays an example.
        var out: [UInt8] = Array("\n\n\"".utf8)
        for p in parts { out.append(contentsOf: p) }
        out.append(contentsOf: Array("\".\n\n\"".utf8))
        for p in parts { out.append(contentsOf: p); out.append(0x20) }
        out.append(contentsOf: Array("\".".utf8))
        return out
    }

    // MARK: rot13

    /// rot13 stems of override and leaking words ("ignore", "instruction", "prompt", "disregard").
    private static let stems: [[UInt8]] = ["ignore", "instruction", "prompt", "disregard", "previous", "forget", "system"]
        .map { Array($0.utf8.map { rot($0) }) }

    @inline(__always) private static func rot(_ c: UInt8) -> UInt8 {
        if c >= 0x61 && c <= 0x7A { return (c - 0x61 + 13) % 26 + 0x61 }
        if c >= 0x41 && c <= 0x5A { return (c - 0x41 + 13) % 26 + 0x41 }
        return c
    }

    static func rot13IfHidden(_ b: [UInt8]) -> [UInt8]? {
        // Two different stems must appear in rot13 form: "vtaber" + "vafgehpgvbaf".
        var hits = 0
        let lower = b.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
        for s in stems where contains(lower, s) { hits += 1; if hits >= 2 { break } }
        guard hits >= 2 else { return nil }
        return b.map { rot($0) }
    }

    private static func contains(_ h: [UInt8], _ n: [UInt8]) -> Bool {
        guard h.count >= n.count, let f = n.first else { return false }
        var i = 0
        let last = h.count - n.count
        while i <= last {
            if h[i] == f {
                var k = 1
                while k < n.count && h[i + k] == n[k] { k += 1 }
                if k == n.count { return true }
            }
            i += 1
        }
        return false
    }
}
