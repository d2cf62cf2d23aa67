/// A key the line editor understands, decoded from the terminal's bytes.
enum Key: Equatable {
    case text(Character)
    case enter
    case backspace
    case delete
    case left, right, home, end, up, down
    /// Ctrl and a letter (`control(0x03)` is Ctrl-C).
    case control(UInt8)
    case unknown
    /// The input ended.
    case endOfInput

    /// Reads one key: a byte, a UTF-8 character, or an escape sequence (VT100/xterm arrows,
    /// Home, End, Delete). A lone Escape (nothing after it within 50 ms) is `unknown`.
    static func read(from terminal: TerminalIO) -> Key {
        guard let byte = terminal.readByte() else { return .endOfInput }
        switch byte {
        case 0x0D, 0x0A: return .enter
        case 0x7F, 0x08: return .backspace
        case 0x1B: return escape(terminal)
        case 0..<0x20: return .control(byte)
        case 0x20..<0x80: return .text(Character(Unicode.Scalar(byte)))
        default: return utf8(byte, terminal)
        }
    }

    private static func escape(_ terminal: TerminalIO) -> Key {
        guard let kind = terminal.readByte(timeoutMs: 50) else { return .unknown }
        guard kind == UInt8(ascii: "[") || kind == UInt8(ascii: "O") else { return .unknown }
        var parameter = 0
        while let b = terminal.readByte(timeoutMs: 50) {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): parameter = parameter * 10 + Int(b - UInt8(ascii: "0"))
            case UInt8(ascii: ";"): continue
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            case UInt8(ascii: "C"): return .right
            case UInt8(ascii: "D"): return .left
            case UInt8(ascii: "H"): return .home
            case UInt8(ascii: "F"): return .end
            case UInt8(ascii: "~"):
                switch parameter {
                case 1, 7: return .home
                case 4, 8: return .end
                case 3: return .delete
                default: return .unknown
                }
            case 0x40...0x7E: return .unknown
            default: continue
            }
        }
        return .unknown
    }

    private static func utf8(_ lead: UInt8, _ terminal: TerminalIO) -> Key {
        let count = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0
        var bytes = [lead]
        for _ in 0..<count {
            guard let b = terminal.readByte(timeoutMs: 50) else { break }
            bytes.append(b)
        }
        return String(decoding: bytes, as: UTF8.self).first.map { .text($0) } ?? .unknown
    }
}
