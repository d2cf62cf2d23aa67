/// The UTF-8 bytes of a text under scan, read through a pointer.
///
/// Reads outside the text answer 0, a byte that belongs to no class below, so the scanners look
/// ahead and behind (`self[j + 1]`, `self[i - 1]`) without bounds checks of their own. Bytes of
/// multi-byte characters (0x80 and up) are neither letters nor digits: a match may touch a
/// non-ASCII letter (CJK text has no spaces), and never starts or ends inside a character
/// (the one place that reads such letters, an e-mail's local part, takes whole ones).
struct PIIText {
    let base: UnsafePointer<UInt8>
    let count: Int

    @inline(__always) subscript(_ i: Int) -> UInt8 {
        UInt(bitPattern: i) < UInt(bitPattern: count) ? base[i] : 0
    }

    // Byte classes by value.
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c &- 0x41 < 26 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
    @inline(__always) static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == UInt8(ascii: "_") }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20) &- 0x61 < 6 }

    // Byte classes by position (false outside the text).
    @inline(__always) func digit(_ i: Int) -> Bool { Self.isDigit(self[i]) }
    @inline(__always) func upper(_ i: Int) -> Bool { Self.isUpper(self[i]) }
    @inline(__always) func alpha(_ i: Int) -> Bool { Self.isAlpha(self[i]) }
    @inline(__always) func alnum(_ i: Int) -> Bool { Self.isAlnum(self[i]) }
    /// A letter, digit or underscore: a byte that glues tokens together.
    @inline(__always) func word(_ i: Int) -> Bool { Self.isWord(self[i]) }
    @inline(__always) func hex(_ i: Int) -> Bool { Self.isHex(self[i]) }

    /// Whether the ASCII `literal` occurs at `i`.
    @inline(__always) func matches(_ literal: StaticString, at i: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i >= 0, n <= count - i else { return false }
        let p = literal.utf8Start
        var k = 0
        while k < n {
            if base[i + k] != p[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether exactly `n` digits start at `i` (no digit right after them).
    @inline(__always) func digits(_ n: Int, at i: Int) -> Bool {
        var k = 0
        while k < n {
            if !digit(i + k) { return false }
            k += 1
        }
        return !digit(i + n)
    }

    /// The value of the `n` digits at `i` (which must be digits).
    @inline(__always) func value(_ n: Int, at i: Int) -> Int {
        var v = 0
        for k in 0..<n { v = v * 10 + Int(self[i + k] &- 0x30) }
        return v
    }

    /// Whether a numeric token starting at `i` continues a longer dotted or dashed token on its
    /// left (`ORD-2024`, `1.2.3.4.5`, `v1.2`): the byte before is `.`, `-` or `_` glued to a letter or digit.
    @inline(__always) func gluedBefore(_ i: Int) -> Bool {
        let p = self[i - 1]
        return (p == UInt8(ascii: ".") || p == UInt8(ascii: "-") || p == UInt8(ascii: "_")) && alnum(i - 2)
    }

    /// Whether a token ending at `end` runs on into a longer one: a letter, digit or underscore
    /// follows, or `.`/`-` followed by a digit (`1.2.3.4.5`, `123-45-6789-1`).
    @inline(__always) func gluedAfter(_ end: Int) -> Bool {
        let c = self[end]
        if Self.isWord(c) { return true }
        return (c == UInt8(ascii: ".") || c == UInt8(ascii: "-")) && digit(end + 1)
    }
}
