extension PIIText {
    /// An IPv4 address at the digit at `i`: four decimal octets 0-255 without leading zeros, not
    /// followed by a letter, digit, `_`, or `.`/`-` and a digit or letter (`1.2.3.4.5`,
    /// `1.2.3.4-beta`), and not right after a version word (see ``isAfterVersionWord(_:)``).
    /// (The caller has checked the left side: not glued to a token, as in `v1.2.3.4`.)
    func ipv4Address(at i: Int) -> Int? {
        guard let end = dottedQuad(at: i) else { return nil }
        let next = self[end]
        if Self.isWord(next) { return nil }
        if next == UInt8(ascii: ".") || next == UInt8(ascii: "-"), alnum(end + 1) { return nil }
        return isAfterVersionWord(i) ? nil : end
    }

    /// Four octets separated by dots at `i`; their end.
    func dottedQuad(at i: Int) -> Int? {
        var j = i
        for n in 0..<4 {
            if n > 0 {
                guard self[j] == UInt8(ascii: ".") else { return nil }
                j += 1
            }
            guard digit(j) else { return nil }
            if self[j] == UInt8(ascii: "0") {
                j += 1
                if digit(j) { return nil }  // leading zero
                continue
            }
            var value = 0, k = 0
            while k < 4, digit(j) {
                value = value * 10 + Int(self[j] &- 0x30)
                j += 1
                k += 1
            }
            guard k <= 3, value <= 255 else { return nil }
        }
        return j
    }

    /// Whether the token at `i` follows the word "version", "ver", "v", "build", "release" or
    /// "firmware" (any case) and up to three spaces, colons or dots: `version 1.2.3.4`, `Build: 10.0.1.2`.
    func isAfterVersionWord(_ i: Int) -> Bool {
        var k = i - 1, skipped = 0
        while skipped < 3, self[k] == UInt8(ascii: " ") || self[k] == UInt8(ascii: ":") || self[k] == UInt8(ascii: ".") {
            k -= 1
            skipped += 1
        }
        guard skipped > 0 else { return false }
        var word: UInt64 = 0, n = 0
        while n <= 8, alpha(k - n) { n += 1 }
        guard n >= 1, n <= 8 else { return false }
        for m in stride(from: n - 1, through: 0, by: -1) { word = word << 8 | UInt64(self[k - m] | 0x20) }
        switch word {
        case 0x76, 0x766572, 0x76657273696F6E, 0x6275696C64, 0x72656C65617365, 0x6669726D77617265:
            return true  // v, ver, version, build, release, firmware
        default:
            return false
        }
    }

    /// An IPv6 address at `i` (a hex digit or the first `:` of `::`): hex groups of 1-4 digits
    /// separated by `:`, either eight of them or at most seven with exactly one `::`, the last
    /// two may be an IPv4 address (`::ffff:192.0.2.1`). At least two colons and one group.
    ///
    /// Not matched: `::` alone, times (`12:30:45`, too few groups), MAC addresses
    /// (`00:1a:2b:3c:4d:5e`; eight groups of exactly two digits are rejected too), `std::vector`
    /// (glued on the left, `v` is no hex digit), slices such as `a[1::2]` (a compressed address
    /// whose at most two groups are short decimal numbers, other than `::1`), and anything running
    /// on into a letter, `_`, another group or a `.digit`.
    func ipv6(at i: Int) -> Int? {
        var j = i
        if self[j] != UInt8(ascii: ":") {  // most words: no colon after at most four hex digits
            while j - i < 4, hex(j) { j += 1 }
            guard self[j] == UInt8(ascii: ":") else { return nil }
            j = i
        }
        var groups = 0, colons = 0, compressed = false
        var allTwoHex = true, allShortDecimal = true
        if self[j] == UInt8(ascii: ":") {
            guard self[j + 1] == UInt8(ascii: ":") else { return nil }
            compressed = true
            colons = 2
            j += 2
        }
        while true {
            let start = j
            while j - start < 5, hex(j) { j += 1 }
            let g = j - start
            if g == 0 { break }
            if g > 4 { return nil }
            if self[j] == UInt8(ascii: "."), digit(j + 1) {  // an IPv4 tail
                guard let end = dottedQuad(at: start) else { return nil }
                j = end
                groups += 2
                allTwoHex = false
                allShortDecimal = false
                break
            }
            groups += 1
            if groups > 8 { return nil }
            if g != 2 { allTwoHex = false }
            if allShortDecimal {
                if g > 3 { allShortDecimal = false }
                for k in start..<j where !digit(k) { allShortDecimal = false }
            }
            guard self[j] == UInt8(ascii: ":") else { break }
            if self[j + 1] == UInt8(ascii: ":") {
                if compressed { return nil }
                compressed = true
                colons += 2
                j += 2
                continue
            }
            guard hex(j + 1) else { break }
            colons += 1
            j += 1
        }
        guard groups >= 1, colons >= 2, compressed ? groups <= 7 : groups == 8 else { return nil }
        let next = self[j]
        if Self.isWord(next) { return nil }
        if next == UInt8(ascii: ":"), hex(j + 1) || self[j + 1] == UInt8(ascii: ":") { return nil }
        if next == UInt8(ascii: "."), digit(j + 1) { return nil }
        if !compressed, allTwoHex { return nil }
        if compressed, allShortDecimal, groups <= 2, !(j - i == 3 && self[i] == UInt8(ascii: ":") && self[i + 2] == UInt8(ascii: "1")) {
            return nil
        }
        return j
    }
}
