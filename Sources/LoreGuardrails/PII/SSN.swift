extension PIIText {
    /// A US Social Security number at the digit at `i`: `AAA-GG-SSSS` or `AAA GG SSSS`, or nine
    /// digits in a row right after an SSN context word (`SSN: 078051120`, see ``PIIContextWords/ssn``);
    /// the area not 000, 666 or 900-999, the group not 00, the serial not 0000, and not part of a
    /// longer number (`1-123-45-6789`, `123-45-6789-0`).
    func ssn(at i: Int) -> Int? {
        let separator = self[i + 3]
        let end: Int
        if separator == UInt8(ascii: "-") || separator == UInt8(ascii: " ") {
            guard digits(3, at: i), digits(2, at: i + 4), self[i + 6] == separator, digits(4, at: i + 7) else { return nil }
            end = i + 11
        } else {
            guard digits(9, at: i) else { return nil }
            end = i + 9
        }
        guard !gluedAfter(end) else { return nil }
        let area = value(3, at: i)
        let (group, serial) = end == i + 9 ? (value(2, at: i + 3), value(4, at: i + 5)) : (value(2, at: i + 4), value(4, at: i + 7))
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
        if end == i + 9, !hasContext(before: i, PIIContextWords.ssn) { return nil }
        return end
    }
}
