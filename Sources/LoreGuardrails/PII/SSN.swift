extension PIIText {
    /// A US Social Security number at the digit at `i`: `AAA-GG-SSSS` or `AAA GG SSSS`, the area
    /// not 000, 666 or 900-999, the group not 00, the serial not 0000, and not part of a longer
    /// number (`1-123-45-6789`, `123-45-6789-0`).
    func ssn(at i: Int) -> Int? {
        let separator = self[i + 3]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: " "),
              digits(3, at: i), digits(2, at: i + 4), self[i + 6] == separator, digits(4, at: i + 7),
              !gluedAfter(i + 11) else { return nil }
        let area = value(3, at: i)
        guard area != 0, area != 666, area < 900, value(2, at: i + 4) != 0, value(4, at: i + 7) != 0 else { return nil }
        return i + 11
    }
}
