/// An incremental decoder of the `text/event-stream` body of `POST /v1/query`: `event:`
/// and `data:` lines, an empty line closing each event, `:` comments ignored. Bytes are
/// appended as they arrive, in reads of any size; a line split across reads (even inside a
/// UTF-8 character) is held until its end comes.
struct EventStreamDecoder {
    /// One event: its name (`message` when the server gave none) and its data lines joined.
    struct Event: Equatable {
        var name: String
        var data: String
    }

    private var pending: [UInt8] = []
    private var name = "message"
    private var data: [String] = []

    /// Appends the next bytes of the body.
    mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    mutating func next() -> Event? {
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var lineBytes = pending[..<newline]
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            let line = String(decoding: lineBytes, as: UTF8.self)
            pending.removeSubrange(...newline)
            if line.isEmpty {
                defer { name = "message"; data.removeAll() }
                if !data.isEmpty { return Event(name: name, data: data.joined(separator: "\n")) }
                continue
            }
            if line.hasPrefix(":") { continue }
            let (field, value) = Self.split(line)
            switch field {
            case "event": name = value
            case "data": data.append(value)
            default: continue
            }
        }
        return nil
    }

    private static func split(_ line: String) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return (line, "") }
        var value = line[line.index(after: colon)...]
        if value.hasPrefix(" ") { value = value.dropFirst() }
        return (String(line[..<colon]), String(value))
    }
}
