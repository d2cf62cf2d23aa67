/// An incremental decoder of a `text/event-stream` body, as chat-completions servers send
/// it: `data: {...}` lines, an empty line closing each event, `: comment` lines (keep-alives),
/// and `data: [DONE]` at the end.
///
/// Bytes are appended as they arrive, in reads of any size: a line (even a UTF-8
/// character) split across reads is held until its end comes. Lines end in `\n`, `\r\n`
/// or `\r`. Several `data:` lines of one event are joined with `\n`, as the SSE standard
/// says. `event:`, `id:` and `retry:` fields are accepted and ignored. Any other line is
/// not SSE and is reported as malformed (the SSE standard would ignore it, but from a
/// chat-completions server it means the stream is broken).
struct ServerSentEventDecoder {
    /// A line that is not SSE.
    struct SyntaxError: Error, CustomStringConvertible {
        var line: String
        var description: String { "a line that is not server-sent events: \(line.prefix(120).debugDescription)" }
    }

    private var pending: [UInt8] = []
    /// Where the unread part of `pending` begins.
    private var start = 0
    private var data: [String] = []
    private var hasData = false
    /// A `\r` ended the last line: a `\n` right after it belongs to that line ending.
    private var skipLineFeed = false
    /// Lines longer than this (64 MiB) are refused rather than buffered forever.
    static let maxLineBytes = 64 << 20

    /// Appends the next bytes of the body.
    mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 {
            pending.removeFirst(start)
            start = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// The payload of the next complete event, or nil when more bytes are needed.
    mutating func next() throws(SyntaxError) -> String? {
        while let line = try nextLine() {
            if line.isEmpty {
                if let event = dispatch() { return event }
                continue
            }
            try field(line)
        }
        return nil
    }

    /// At the end of the body: the last event, when the server did not close it with an
    /// empty line; a trailing line without its line ending counts as a line.
    mutating func finish() throws(SyntaxError) -> String? {
        if start < pending.count {
            let line = String(decoding: pending[start...], as: UTF8.self)
            pending.removeAll()
            start = 0
            try field(line)
        }
        return dispatch()
    }

    private mutating func dispatch() -> String? {
        guard hasData else { return nil }
        let event = data.joined(separator: "\n")
        data.removeAll(keepingCapacity: true)
        hasData = false
        return event
    }

    private mutating func field(_ line: String) throws(SyntaxError) {
        if line.hasPrefix(":") { return }  // a comment (keep-alive)
        let name: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            name = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            name = Substring(line)
            value = ""
        }
        switch name {
        case "data":
            data.append(String(value))
            hasData = true
        case "event", "id", "retry":
            return
        default:
            throw SyntaxError(line: line)
        }
    }

    private mutating func nextLine() throws(SyntaxError) -> String? {
        if skipLineFeed, start < pending.count {
            skipLineFeed = false
            if pending[start] == UInt8(ascii: "\n") { start += 1 }
        }
        guard let end = pending[start...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
            if pending.count - start > Self.maxLineBytes {
                throw SyntaxError(line: String(decoding: pending[start...].prefix(120), as: UTF8.self))
            }
            return nil
        }
        let line = String(decoding: pending[start..<end], as: UTF8.self)
        start = end + 1
        if pending[end] == UInt8(ascii: "\r") {
            if start < pending.count {
                if pending[start] == UInt8(ascii: "\n") { start += 1 }
            } else {
                skipLineFeed = true
            }
        }
        return line
    }
}
