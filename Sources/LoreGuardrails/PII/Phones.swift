extension PIIText {
    /// An international number at the `+` at `i`: `+CC` and 6-14 more digits (7-15 in all), in
    /// groups separated by a space, dash or dot, with optional parenthesised groups:
    /// `+1 (415) 555-0132`, `+44 20 7946 0958`, `+44 (0)20 7946 0958`, `+81-3-1234-5678`, `+14155550132`.
    func internationalPhone(at i: Int) -> Int? {
        guard digit(i + 1), self[i + 1] != UInt8(ascii: "0"),
              let run = phoneGroups(from: i + 1, maxDigits: 15),
              run.digits >= 7, !gluedAfter(run.end) else { return nil }
        return run.end
    }

    /// A number at the digit at `i`: an international one dialled with `00` (`0044 20 7946 0958`,
    /// grouped: a plain run of digits is no phone), or a national one with a trunk 0.
    func nationalPhone(at i: Int) -> Int? {
        guard self[i] == UInt8(ascii: "0"), !gluedBefore(i), !afterDigitGroup(i) else { return nil }
        if self[i + 1] == UInt8(ascii: "0") {
            guard digit(i + 2), self[i + 2] != UInt8(ascii: "0"),
                  let run = phoneGroups(from: i, maxDigits: 17),
                  run.groups >= 2, (3...5).contains(run.firstGroup),
                  run.digits - 2 >= 7, !gluedAfter(run.end) else { return nil }
            return run.end
        }
        return trunkPhone(at: i)
    }

    /// A North American number at `i` (a digit or `(`): `(212) 555-0199`, `(212)555-0199`,
    /// `212-555-0199`, `212.555.0199`, `212 555 0199` (the same separator twice), optionally after
    /// `1-`, `1.` or `1 ` (`1-800-555-0199`, `1 (800) 555-0199`).
    func northAmericanPhone(at i: Int) -> Int? {
        if gluedBefore(i) || afterDigitGroup(i) { return nil }
        if self[i] == UInt8(ascii: "1"), Self.isPhoneSeparator(self[i + 1]),
           digit(i + 2) || self[i + 2] == UInt8(ascii: "("),
           let end = northAmericanCore(at: i + 2) {
            return end
        }
        return northAmericanCore(at: i)
    }

    private func northAmericanCore(at s: Int) -> Int? {
        var j = s
        if self[j] == UInt8(ascii: "(") {
            guard digits(3, at: j + 1), self[j + 4] == UInt8(ascii: ")") else { return nil }
            j += 5
            if Self.isPhoneSeparator(self[j]) { j += 1 }
            guard digits(3, at: j), Self.isPhoneSeparator(self[j + 3]), digits(4, at: j + 4) else { return nil }
            j += 8
        } else {
            let separator = self[j + 3]
            guard digits(3, at: j), Self.isPhoneSeparator(separator), digits(3, at: j + 4),
                  self[j + 7] == separator, digits(4, at: j + 8) else { return nil }
            j += 12
        }
        return gluedAfter(j) ? nil : j
    }

    /// A grouped national number with a trunk 0 at `i`: 10 or 11 digits in 3+ groups of 2-6
    /// digits, one separator throughout (`020 7946 0958`, `01 23 45 67 89`, `030-1234-5678`).
    private func trunkPhone(at i: Int) -> Int? {
        var j = i, digitCount = 0, groups = 0, end = i, separator: UInt8 = 0
        while true {
            let start = j
            while j - start <= 6, digit(j) { j += 1 }
            let g = j - start
            if g < 2 || g > 6 || digitCount + g > 11 { break }
            digitCount += g
            groups += 1
            end = j
            let c = self[j]
            guard Self.isPhoneSeparator(c), separator == 0 || separator == c, digit(j + 1) else { break }
            separator = c
            j += 1
        }
        guard groups >= 3, digitCount >= 10, !gluedAfter(end) else { return nil }
        return end
    }

    /// Whether the token at `i` continues a run of space-separated digit groups on its left
    /// (`DE89 3704 0044 0532 ...`, `Acct 12 212 555 0199`): national forms have no prefix of
    /// their own to tell them from the middle of a longer number.
    @inline(__always) func afterDigitGroup(_ i: Int) -> Bool {
        self[i - 1] == UInt8(ascii: " ") && digit(i - 2)
    }

    @inline(__always) static func isPhoneSeparator(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    struct PhoneRun {
        /// Just past the last group taken.
        var end: Int
        var digits = 0
        var groups = 0
        var firstGroup = 0
    }

    /// Digit groups from `start`, separated by one space, dash or dot and/or parentheses
    /// (`(415) `, ` (0)`), while the total stays within `maxDigits`. A lone trailing digit is left
    /// out (`... 0132 2 times`). Nil when the first group alone is too long.
    func phoneGroups(from start: Int, maxDigits: Int) -> PhoneRun? {
        var run = PhoneRun(end: start)
        var previous = run
        var lastGroup = 0
        var j = start
        var inParentheses = false
        while true {
            let groupStart = j
            while j - groupStart <= maxDigits, digit(j) { j += 1 }
            let g = j - groupStart
            if g == 0 { break }
            if run.digits + g > maxDigits {
                if run.groups == 0 { return nil }
                break
            }
            if inParentheses {
                guard self[j] == UInt8(ascii: ")") else { break }
                j += 1
            }
            previous = run
            run.digits += g
            run.groups += 1
            run.end = j
            if run.groups == 1 { run.firstGroup = g }
            lastGroup = g

            let closed = inParentheses
            inParentheses = false
            var k = j
            var separated = closed
            if Self.isPhoneSeparator(self[k]) {
                k += 1
                separated = true
            }
            if self[k] == UInt8(ascii: "(") {
                k += 1
                inParentheses = true
                separated = true
            }
            guard separated, digit(k) else { break }
            j = k
        }
        if run.groups == 0 { return nil }
        if run.groups > 1, lastGroup == 1 { run = previous }
        return run
    }
}
