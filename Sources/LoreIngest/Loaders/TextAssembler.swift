/// Builds extracted text from markup: collapses whitespace outside `pre`, and turns block
/// boundaries into line and paragraph breaks without ever doubling them.
struct TextAssembler {
    private(set) var bytes: [UInt8] = []
    /// 0: nothing pending, 1: a space, 2: a line break, 3: a paragraph break.
    private var pending = 0

    /// Trimming never removes text before this offset (the start of the current section).
    private var floor = 0

    var count: Int { bytes.count }
    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func append(_ text: [UInt8], preserveWhitespace: Bool) {
        if preserveWhitespace {
            guard !text.isEmpty else { return }
            flushPending()
            bytes.append(contentsOf: text)
            return
        }
        for b in text {
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C {
                if pending == 0, !bytes.isEmpty { pending = 1 }
            } else {
                flushPending()
                bytes.append(b)
            }
        }
    }

    mutating func appendSeparator(_ s: String) {
        if bytes.isEmpty || bytes.last == 0x0A || pending >= 2 { return }
        pending = 0
        bytes.append(contentsOf: s.utf8)
    }

    mutating func breakLine() { if !bytes.isEmpty { pending = max(pending, 2) } }
    mutating func breakParagraph() { if !bytes.isEmpty { pending = 3 } }

    /// Writes out a pending break and returns where the next text will start; nothing
    /// before it is trimmed afterwards.
    mutating func markSectionStart() -> Int {
        flushPending()
        floor = bytes.count
        return floor
    }

    private mutating func flushPending() {
        switch pending {
        case 1: bytes.append(0x20)
        case 2: trimTrailingSpaces(); bytes.append(0x0A)
        case 3: trimTrailingSpaces(); bytes.append(0x0A); bytes.append(0x0A)
        default: break
        }
        pending = 0
    }

    private mutating func trimTrailingSpaces() {
        while bytes.count > floor, bytes.last == 0x20 || bytes.last == 0x0A { bytes.removeLast() }
    }

    mutating func finish() {
        pending = 0
        while bytes.count > floor, let l = bytes.last, l == 0x20 || l == 0x0A { bytes.removeLast() }
    }

    /// The text written since offset `start`.
    func substring(from start: Int) -> String {
        String(decoding: bytes[min(start, bytes.count)...], as: UTF8.self)
    }
}
