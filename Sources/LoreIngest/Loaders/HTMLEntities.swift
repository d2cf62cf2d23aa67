/// Decoding of HTML character references: numeric (`&#8217;`, `&#x263A;`) and the named
/// entities that occur in practice. Unknown or malformed references are kept as written.
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "copy": "©", "reg": "®", "trade": "™", "mdash": "—", "ndash": "–", "hellip": "…",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "sbquo": "‚", "bdquo": "„",
        "laquo": "«", "raquo": "»", "lsaquo": "‹", "rsaquo": "›", "bull": "•", "middot": "·",
        "deg": "°", "plusmn": "±", "times": "×", "divide": "÷", "minus": "−", "le": "≤", "ge": "≥",
        "ne": "≠", "asymp": "≈", "equiv": "≡", "infin": "∞", "larr": "←", "rarr": "→", "uarr": "↑",
        "darr": "↓", "harr": "↔", "lArr": "⇐", "rArr": "⇒", "hArr": "⇔", "sect": "§", "para": "¶",
        "dagger": "†", "Dagger": "‡", "permil": "‰", "prime": "′", "Prime": "″", "euro": "€",
        "pound": "£", "yen": "¥", "cent": "¢", "curren": "¤", "iexcl": "¡", "iquest": "¿",
        "shy": "\u{00AD}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}",
        "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}",
        "frac12": "½", "frac14": "¼", "frac34": "¾", "sup1": "¹", "sup2": "²", "sup3": "³",
        "micro": "µ", "not": "¬", "macr": "¯", "acute": "´", "cedil": "¸", "ordf": "ª", "ordm": "º",
        "uml": "¨", "brvbar": "¦", "szlig": "ß", "agrave": "à", "aacute": "á", "acirc": "â",
        "atilde": "ã", "auml": "ä", "aring": "å", "aelig": "æ", "ccedil": "ç", "egrave": "è",
        "eacute": "é", "ecirc": "ê", "euml": "ë", "igrave": "ì", "iacute": "í", "icirc": "î",
        "iuml": "ï", "eth": "ð", "ntilde": "ñ", "ograve": "ò", "oacute": "ó", "ocirc": "ô",
        "otilde": "õ", "ouml": "ö", "oslash": "ø", "ugrave": "ù", "uacute": "ú", "ucirc": "û",
        "uuml": "ü", "yacute": "ý", "thorn": "þ", "yuml": "ÿ", "Agrave": "À", "Aacute": "Á",
        "Acirc": "Â", "Atilde": "Ã", "Auml": "Ä", "Aring": "Å", "AElig": "Æ", "Ccedil": "Ç",
        "Egrave": "È", "Eacute": "É", "Ecirc": "Ê", "Euml": "Ë", "Igrave": "Ì", "Iacute": "Í",
        "Icirc": "Î", "Iuml": "Ï", "ETH": "Ð", "Ntilde": "Ñ", "Ograve": "Ò", "Oacute": "Ó",
        "Ocirc": "Ô", "Otilde": "Õ", "Ouml": "Ö", "Oslash": "Ø", "Ugrave": "Ù", "Uacute": "Ú",
        "Ucirc": "Û", "Uuml": "Ü", "Yacute": "Ý", "THORN": "Þ", "alpha": "α", "beta": "β",
        "gamma": "γ", "delta": "δ", "epsilon": "ε", "lambda": "λ", "mu": "μ", "pi": "π",
        "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "Omega": "Ω",
        "sum": "∑", "prod": "∏", "radic": "√", "part": "∂", "nabla": "∇", "isin": "∈", "notin": "∉",
        "cap": "∩", "cup": "∪", "sub": "⊂", "sup": "⊃", "and": "∧", "or": "∨", "forall": "∀",
        "exist": "∃", "empty": "∅", "loz": "◊", "spades": "♠", "clubs": "♣", "hearts": "♥", "diams": "♦",
        "check": "✓", "star": "☆", "starf": "★", "lowast": "∗", "sdot": "⋅", "oline": "‾", "frasl": "⁄"
    ]

    /// Decodes the references in `text` and returns UTF-8 bytes.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            let b = text[i]
            guard b == UInt8(ascii: "&") else { out.append(b); i += 1; continue }
            var j = i + 1
            while j < text.count, j - i <= 32, text[j] != UInt8(ascii: ";"), text[j] != UInt8(ascii: "&"),
                text[j] != 0x20, text[j] != 0x0A, text[j] != UInt8(ascii: "<")
            { j += 1 }
            let hasSemicolon = j < text.count && text[j] == UInt8(ascii: ";")
            let name = String(decoding: UnsafeBufferPointer(rebasing: text[(i + 1)..<j]), as: UTF8.self)
            var replacement: String? = nil
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value: UInt32?
                if digits.first == "x" || digits.first == "X" {
                    value = UInt32(digits.dropFirst(), radix: 16)
                } else {
                    value = UInt32(digits)
                }
                if let v = value {
                    let scalar: Unicode.Scalar? = v == 0 ? nil : (v >= 0x80 && v <= 0x9F ? windows1252(v) : Unicode.Scalar(v))
                    replacement = String(scalar ?? "\u{FFFD}")
                }
            } else if hasSemicolon {
                replacement = named[name]
            } else if let legacy = ["amp", "lt", "gt", "quot", "nbsp", "copy"].first(where: { name.hasPrefix($0) }) {
                // "&amp" without ";" (common in broken markup): decode the prefix only.
                out.append(contentsOf: named[legacy]!.utf8)
                i += 1 + legacy.count
                continue
            }
            if let r = replacement {
                out.append(contentsOf: r.utf8)
                i = hasSemicolon ? j + 1 : j
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }

    /// Numeric references in 0x80–0x9F mean Windows-1252, as browsers read them.
    private static func windows1252(_ v: UInt32) -> Unicode.Scalar? {
        let map: [UInt32: UInt32] = [
            0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020,
            0x87: 0x2021, 0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152,
            0x8E: 0x017D, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022,
            0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC, 0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A,
            0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178
        ]
        return map[v].flatMap(Unicode.Scalar.init) ?? Unicode.Scalar(v)
    }
}
