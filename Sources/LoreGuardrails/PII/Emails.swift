extension PIIText {
    /// An e-mail address around the `@` at `at`: `local@label.label.tld`.
    ///
    /// The local part is letters, digits and `. _ % + -` (at most 64 bytes, leading dots dropped);
    /// its letters are ASCII or accented Latin ones (`müller@example.de`), not CJK or other
    /// scripts, which are taken for the surrounding text (`邮箱wang@example.cn`);
    /// the domain is two or more labels of letters, digits and inner hyphens, the last one (the
    /// top-level domain) 2+ letters. Not matched: `user@localhost` (one label), `@decorator` and
    /// `@mention` (no local part), `lodash@4.17.21` (numeric TLD), `logo@2x.png` (a file
    /// extension, not a TLD), an address glued to a letter, digit, `_`, `-` or `@` after it.
    func email(at: Int) -> Range<Int>? {
        var start = at
        while start > 0, at - start <= 64 {
            if Self.isLocal(self[start - 1]) {
                start -= 1
            } else if isLatinLetter(endingAt: start) {
                start -= 2
            } else {
                break
            }
        }
        if at - start > 64 || self[start - 1] == UInt8(ascii: "@") { return nil }
        while start < at, self[start] == UInt8(ascii: ".") { start += 1 }
        guard start < at, self[at - 1] != UInt8(ascii: ".") else { return nil }

        var j = at + 1
        var labels = 0
        var tldStart = j, tldEnd = j, tldAlpha = false
        while true {
            let labelStart = j
            var alphabetic = true
            while j - labelStart < 64, alnum(j) || self[j] == UInt8(ascii: "-") {
                if !alpha(j) { alphabetic = false }
                j += 1
            }
            if j == labelStart { break }
            if self[labelStart] == UInt8(ascii: "-") || self[j - 1] == UInt8(ascii: "-") { return nil }
            labels += 1
            (tldStart, tldEnd, tldAlpha) = (labelStart, j, alphabetic)
            guard labels < 128, self[j] == UInt8(ascii: "."), alnum(j + 1) else { break }
            j += 1
        }
        guard labels >= 2, tldAlpha, tldEnd - tldStart >= 2 else { return nil }
        let next = self[tldEnd]
        if Self.isWord(next) || next == UInt8(ascii: "-") || next == UInt8(ascii: "@") { return nil }
        if isFileExtension(tldStart..<tldEnd) { return nil }
        return start..<tldEnd
    }

    /// Whether the two bytes before `end` are a Latin letter with a diacritic, U+00C0-U+024F
    /// (`é`, `ü`, `ß`, `ł`), other than `×` and `÷`.
    @inline(__always) func isLatinLetter(endingAt end: Int) -> Bool {
        let lead = self[end - 2], trail = self[end - 1]
        guard lead &- 0xC3 < 7, trail & 0xC0 == 0x80 else { return false }
        return !(lead == 0xC3 && (trail == 0x97 || trail == 0xB7))
    }

    @inline(__always) static func isLocal(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "%")
    }

    /// Whether the label is a common file extension that is no top-level domain (`icon@2x.png`).
    private func isFileExtension(_ r: Range<Int>) -> Bool {
        guard r.count <= 5 else { return false }
        var word: UInt64 = 0
        for i in r { word = word << 8 | UInt64(self[i] | 0x20) }
        switch word {
        case 0x706E67, 0x6A7067, 0x6A706567, 0x676966, 0x737667, 0x77656270, 0x626D70, 0x69636F, 0x746966,
            0x74696666, 0x6A73, 0x7473, 0x637373, 0x6A736F6E, 0x79616D6C, 0x796D6C, 0x747874, 0x68746D6C,
            0x7377696674, 0x6C6F636B:
            // png jpg jpeg gif svg webp bmp ico tif tiff js ts css json yaml yml txt html swift lock
            return true
        default:
            return false
        }
    }
}
