extension PIIText {
    /// An IBAN at the capital letter at `i`: country code, 2 check digits and the BBAN (capitals
    /// and digits), the whole exactly as long as the country's IBANs, written compact
    /// (`DE89370400440532013000`) or in groups of four separated by single spaces
    /// (`DE89 3704 0044 0532 0130 00`), and valid by ISO 7064 mod-97 (remainder 1).
    func iban(at i: Int) -> Int? {
        guard upper(i + 1), digit(i + 2), digit(i + 3),
            let length = Self.ibanLength(self[i], self[i + 1])
        else { return nil }
        let grouped = self[i + 4] == UInt8(ascii: " ")
        var j = i + 4, chars = 4, remainder = 0
        while chars < length {
            if grouped, chars % 4 == 0 {
                guard self[j] == UInt8(ascii: " ") else { return nil }
                j += 1
            }
            let c = self[j]
            guard Self.isDigit(c) || Self.isUpper(c) else { return nil }
            remainder = Self.mod97(remainder, c)
            j += 1
            chars += 1
        }
        guard !word(j) else { return nil }
        for k in i..<(i + 4) { remainder = Self.mod97(remainder, self[k]) }
        return remainder == 1 ? j : nil
    }

    /// `remainder` extended by the IBAN character `c` (a digit, or a capital worth 10-35), mod 97.
    @inline(__always) private static func mod97(_ remainder: Int, _ c: UInt8) -> Int {
        isDigit(c) ? (remainder * 10 + Int(c &- 0x30)) % 97 : (remainder * 100 + Int(c &- 0x41) + 10) % 97
    }

    /// The length of the IBANs of the country with code `a b`, nil for a country without IBANs.
    static func ibanLength(_ a: UInt8, _ b: UInt8) -> Int? {
        guard isUpper(a), isUpper(b) else { return nil }
        let length = ibanLengths[Int(a &- 0x41) * 26 + Int(b &- 0x41)]
        return length == 0 ? nil : Int(length)
    }
}

/// IBAN lengths by country (SWIFT IBAN registry), indexed by `(first letter) * 26 + (second letter)`.
private let ibanLengths: [UInt8] = {
    let registry = """
        AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 \
        EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 \
        IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 \
        NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 \
        SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30
        """
    var table = [UInt8](repeating: 0, count: 26 * 26)
    for entry in registry.split(separator: " ") {
        let u = Array(entry.utf8)
        table[Int(u[0] - 0x41) * 26 + Int(u[1] - 0x41)] = (u[2] - 0x30) * 10 + (u[3] - 0x30)
    }
    return table
}()
