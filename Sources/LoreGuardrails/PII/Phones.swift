extension PIIText {
    /// An international number at the `+` at `i`: `+CC` and 6-14 more digits (7-15 in all), in
    /// groups separated by a space, dash or dot, with optional parenthesised groups:
    /// `+1 (415) 555-0132`, `+44 20 7946 0958`, `+44 (0)20 7946 0958`, `+81-3-1234-5678`, `+14155550132`,
    /// possibly with an extension (`+1-508-229-7230x36932`, see ``phoneEnd(_:)``).
    func internationalPhone(at i: Int) -> Int? {
        guard digit(i + 1), self[i + 1] != UInt8(ascii: "0"),
            let run = phoneGroups(from: i + 1, maxDigits: 15),
            run.digits >= 7
        else { return nil }
        return phoneEnd(run.end)
    }

    /// A number at the digit at `i`: an international one dialled with `00` (`0044 20 7946 0958`,
    /// grouped: a plain run of digits is no phone), or a national one with a trunk 0.
    func nationalPhone(at i: Int) -> Int? {
        guard self[i] == UInt8(ascii: "0"), !gluedBefore(i), !afterDigitGroup(i) else { return nil }
        if self[i + 1] == UInt8(ascii: "0") {
            guard digit(i + 2), self[i + 2] != UInt8(ascii: "0"),
                let run = phoneGroups(from: i, maxDigits: 17),
                run.groups >= 2, (3...5).contains(run.firstGroup),
                run.digits - 2 >= 7
            else { return nil }
            return phoneEnd(run.end)
        }
        return trunkPhone(at: i) ?? areaDashPhone(at: i)
    }

    /// A national number written area code, dash, then groups of 2-3 digits separated by single
    /// spaces (Swedish style): `08-123 45 67`, `0303-12 34 56`; the area 2-4 digits with its trunk 0,
    /// 8-10 digits in all.
    private func areaDashPhone(at i: Int) -> Int? {
        var j = i
        while j - i <= 4, digit(j) { j += 1 }
        let area = j - i
        guard (2...4).contains(area), self[j] == UInt8(ascii: "-"), digit(j + 1) else { return nil }
        var total = area, groups = 0
        j += 1
        while true {
            let start = j
            while j - start <= 3, digit(j) { j += 1 }
            let g = j - start
            guard (2...3).contains(g) else { return nil }
            total += g
            groups += 1
            guard self[j] == UInt8(ascii: " "), digit(j + 1), groups < 4 else { break }
            j += 1
        }
        guard groups >= 2, (8...10).contains(total) else { return nil }
        return phoneEnd(j)
    }

    /// A North American number at `i` (a digit or `(`): `(212) 555-0199`, `(212)555-0199`,
    /// `212-555-0199`, `212.555.0199`, `212 555 0199` (the same separator twice), optionally after
    /// `1-`, `1.` or `1 ` (`1-800-555-0199`, `1 (800) 555-0199`), possibly with an extension
    /// (`(555) 010-4477 ext. 12`, `555.010.4477 x1234`).
    func northAmericanPhone(at i: Int) -> Int? {
        if gluedBefore(i) || afterDigitGroup(i) { return nil }
        if self[i] == UInt8(ascii: "1"), Self.isPhoneSeparator(self[i + 1]),
            digit(i + 2) || self[i + 2] == UInt8(ascii: "("),
            let end = northAmericanCore(at: i + 2)
        {
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
                self[j + 7] == separator, digits(4, at: j + 8)
            else { return nil }
            j += 12
        }
        return phoneEnd(j)
    }

    /// A grouped national number with a trunk 0 at `i`: 10 or 11 digits in 3+ groups of 2-6
    /// digits, one separator throughout (`020 7946 0958`, `01 23 45 67 89`, `030-1234-5678`), or in
    /// two groups, an area code of 3-5 digits and a number of 5-6 (`07700 900461`, `05858 94343`).
    private func trunkPhone(at i: Int) -> Int? {
        var j = i, digitCount = 0, groups = 0, end = i, separator: UInt8 = 0, firstGroup = 0, lastGroup = 0
        while true {
            let start = j
            while j - start <= 6, digit(j) { j += 1 }
            let g = j - start
            if g < 2 || g > 6 || digitCount + g > 11 { break }
            digitCount += g
            groups += 1
            if groups == 1 { firstGroup = g }
            lastGroup = g
            end = j
            let c = self[j]
            guard Self.isPhoneSeparator(c), separator == 0 || separator == c, digit(j + 1) else { break }
            separator = c
            j += 1
        }
        guard digitCount >= 10 else { return nil }
        guard groups >= 3 || (groups == 2 && (3...5).contains(firstGroup) && lastGroup >= 5) else { return nil }
        return phoneEnd(end)
    }

    /// A national number whose area code, with its trunk 0, is in parentheses, at the `(` at `i`:
    /// `(0161) 496 0066`, `(07) 4127 8901`, `(08550) 96232`, `(079)-1483700`; 9-12 digits in all.
    func parenthesizedTrunkPhone(at i: Int) -> Int? {
        guard self[i + 1] == UInt8(ascii: "0") else { return nil }
        var j = i + 1
        while j - i <= 6, digit(j) { j += 1 }
        let area = j - i - 1
        guard (2...5).contains(area), self[j] == UInt8(ascii: ")") else { return nil }
        j += 1
        if self[j] == UInt8(ascii: " ") || self[j] == UInt8(ascii: "-") { j += 1 }
        guard digit(j), let run = phoneGroups(from: j, maxDigits: 12 - area),
            (9...12).contains(area + run.digits), !continuesDigitGroups(run.end)
        else { return nil }
        return phoneEnd(run.end)
    }

    /// A number that is a phone number only because the text says so just before it (see
    /// ``PIIContextWords/phone``): a bare run of 9-13 digits (`call 5085550143`, `phone: 2125550199`)
    /// or 9-15 digits in groups (`mobile 729 112 942`), not starting `000`, not the middle of a
    /// longer run of groups, not followed by more groups or a `:` (a time), possibly with an extension.
    func contextPhone(at i: Int) -> Int? {
        guard !afterDigitGroup(i), !matches("000", at: i), let run = phoneGroups(from: i, maxDigits: 15),
            run.groups == 1 ? (9...13).contains(run.digits) : run.digits >= 9,
            !continuesDigitGroups(run.end), self[run.end] != UInt8(ascii: ":"),
            hasContext(before: i, PIIContextWords.phone)
        else { return nil }
        return phoneEnd(run.end)
    }

    /// Whether a separator and another digit follow `end`: the number goes on past what was taken.
    @inline(__always) private func continuesDigitGroups(_ end: Int) -> Bool {
        (Self.isPhoneSeparator(self[end]) || self[end] == UInt8(ascii: "(")) && (digit(end + 1) || digit(end + 2))
    }

    /// The end of a phone number whose digits end at `end`: past its extension if one follows,
    /// else `end` itself unless the number runs on into a longer token (a letter, digit or `_`,
    /// `.`/`-` and a digit, or `-`/`/` and a letter or digit: `741-180-1968-B` is a SKU).
    func phoneEnd(_ end: Int) -> Int? {
        if let e = phoneExtension(after: end) { return e }
        let c = self[end]
        if gluedAfter(end) || ((c == UInt8(ascii: "-") || c == UInt8(ascii: "/")) && alnum(end + 1)) { return nil }
        return end
    }

    /// An extension right after a phone number's last digit at `end`: a marker (`x`, `x.`, `ext`,
    /// `ext.`, `extn`, `extension`, any case, or `#` after a space), glued or after one space, then
    /// an optional `.` or `:`, an optional space, and 1-6 digits (`x36932`, ` ext. 12`, ` x1234`, ` Ext.26562`);
    /// its end, or nil when none follows.
    func phoneExtension(after end: Int) -> Int? {
        var j = end
        if self[j] == UInt8(ascii: " ") { j += 1 }
        var k: Int
        let c = self[j] | 0x20
        if c == UInt8(ascii: "x") {
            k = j + 1
        } else if c == UInt8(ascii: "e"), self[j + 1] | 0x20 == UInt8(ascii: "x"), self[j + 2] | 0x20 == UInt8(ascii: "t") {
            k = j + 3
            if self[k] | 0x20 == UInt8(ascii: "n") {
                k += 1
            } else if self[k] | 0x20 == UInt8(ascii: "e") {
                for (m, letter) in "ension".utf8.enumerated() where self[k + m] | 0x20 != letter { return nil }
                k += 6
            }
        } else if self[j] == UInt8(ascii: "#"), j > end {
            k = j + 1
        } else {
            return nil
        }
        if self[k] == UInt8(ascii: ".") || self[k] == UInt8(ascii: ":") { k += 1 }
        if self[k] == UInt8(ascii: " ") { k += 1 }
        var n = 0
        while n <= 6, digit(k + n) { n += 1 }
        guard (1...6).contains(n), !gluedAfter(k + n) else { return nil }
        return k + n
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
