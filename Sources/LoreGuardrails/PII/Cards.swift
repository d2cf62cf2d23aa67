extension PIIText {
    /// A payment card number at the digit at `i`: 13-19 digits, in one run or in groups (the first of 4+ digits, the rest 2+)
    /// separated by single spaces or single dashes (one kind throughout), with a known issuer prefix
    /// and length, passing Luhn. The longest valid prefix at a group boundary is taken, so a space
    /// and more digits may follow (`4111 1111 1111 1111 12/27`); a dash and digits may not.
    /// A run of more than 19 digits is no card.
    func card(at i: Int) -> Int? {
        // Digits after an IBAN's first group (`TR20 5802 7567 7121 2368 4607 42`) belong to the IBAN.
        if self[i - 1] == UInt8(ascii: " "), upper(i - 5), upper(i - 4), digit(i - 3), digit(i - 2), !word(i - 6) {
            return nil
        }
        var j = i, digitCount = 0, groups = 0, separator: UInt8 = 0
        var best: Int?
        while true {
            let start = j
            while j - start < 20, digit(j) { j += 1 }
            let g = j - start
            if digitCount + g > 19 {
                if groups == 0 { return nil }
                break
            }
            if groups == 0 ? g < 4 : g < 2 { break }
            digitCount += g
            groups += 1
            let next = self[j]
            if digitCount >= 13, !gluedAfter(j), !(next == UInt8(ascii: "-") && alnum(j + 1)),
                Self.isCard(from: i, to: j, digitCount: digitCount, in: self)
            {
                best = j
            }
            guard next == UInt8(ascii: " ") || next == UInt8(ascii: "-"), separator == 0 || separator == next,
                digit(j + 1)
            else { break }
            separator = next
            j += 1
        }
        return best
    }

    /// Whether the `digitCount` digits in `from..<to` (separators skipped) have a known issuer
    /// prefix and length and pass the Luhn check.
    private static func isCard(from: Int, to: Int, digitCount: Int, in t: PIIText) -> Bool {
        // The first group has 4+ digits, so the first four bytes are digits.
        guard isKnownIssuer(prefix: t.value(4, at: from), length: digitCount) else { return false }
        var sum = 0, double = false, k = to - 1
        while k >= from {
            let c = t[k]
            if isDigit(c) {
                var d = Int(c &- 0x30)
                if double {
                    d *= 2
                    if d > 9 { d -= 9 }
                }
                sum += d
                double.toggle()
            }
            k -= 1
        }
        return sum % 10 == 0
    }

    /// Issuer identification numbers (by the first four digits) and the lengths they issue.
    static func isKnownIssuer(prefix p4: Int, length: Int) -> Bool {
        let p1 = p4 / 1000, p2 = p4 / 100, p3 = p4 / 10
        if p1 == 4 { return length == 13 || length == 16 || length == 19 }  // Visa
        if (51...55).contains(p2) || (2221...2720).contains(p4) { return length == 16 }  // Mastercard
        if p2 == 34 || p2 == 37 { return length == 15 }  // Amex
        if p4 == 6011 || p2 == 65 || (644...649).contains(p3) { return length >= 16 }  // Discover
        if p2 == 36 || p2 == 38 || (300...305).contains(p3) { return length >= 14 }  // Diners
        if p2 == 35 { return length >= 16 }  // JCB (3528-3589; all of 35xx)
        if p2 == 62 { return length >= 16 }  // UnionPay
        if p2 == 50 || (56...69).contains(p2) { return true }  // Maestro
        return false
    }
}
