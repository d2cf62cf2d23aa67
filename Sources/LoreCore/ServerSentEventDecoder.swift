/// One event of a `text/event-stream`.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event` field, `message` when the event had none.
    public var type: String
    /// The `data` lines, joined with `\n`.
    public var data: String
    /// The last event ID at the time of this event (the latest valid `id` field so far, in
    /// this event or an earlier one; empty when none was given).
    public var lastEventID: String

    public init(type: String = "message", data: String, lastEventID: String = "") {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// An incremental decoder of a `text/event-stream` body, following the WHATWG HTML
/// standard's "interpreting an event stream" (§9.2.6), for both of Lore's clients: the
/// chat-completions client (LoreGenerate) and `lore chat`'s `/v1/query` client (LoreChat).
///
/// - Bytes are appended as they arrive, in pieces of any size: a line (even a UTF-8
///   character) split across pieces is held until its end comes. A UTF-8 byte order mark at
///   the very start of the stream is skipped.
/// - Lines end in CR LF, LF or CR; a CR at the end of one piece and an LF at the start of
///   the next are one line end.
/// - A line starting with `:` is a comment. Otherwise the field name is what precedes the
///   first `:` (the whole line when there is none), and the value what follows it, less one
///   leading space.
/// - `data` appends its value to the event's data (lines joined with `\n`); `event` sets the
///   event type; `id` sets the last event ID, unless the value contains NUL; `retry` sets
///   `retry` when the value is ASCII digits only. Other fields are ignored, as the standard
///   says, unless the decoder was made with `unknownFields: .reject` (see there).
/// - A blank line dispatches the event; an event with no `data` field is not dispatched
///   (its type is forgotten all the same).
/// - At the end of the stream, an event that was not closed by a blank line is discarded,
///   as the standard says (`finish()`), unless the caller asks for it (`finish(flushing:)`).
public struct ServerSentEventDecoder: Sendable {
    /// What to do with a field the standard does not define.
    public enum UnknownFields: Sendable {
        /// Ignore it (the standard).
        case ignore
        /// Throw `SyntaxError`: for a client that knows its server sends only standard
        /// fields, where anything else means the body is not an event stream at all (an HTML
        /// error page from a proxy, say).
        case reject
    }

    /// A line that is not acceptable: an unknown field under `.reject`, or a line longer
    /// than `maxLineBytes`.
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        public var line: String
        public var tooLong: Bool
        public var description: String {
            tooLong
                ? "a line of server-sent events longer than \(ServerSentEventDecoder.maxLineBytes) bytes, starting \(line.debugDescription)"
                : "a line that is not server-sent events: \(line.debugDescription)"
        }
    }

    /// Lines longer than this (64 MiB) are refused rather than buffered forever.
    public static let maxLineBytes = 64 << 20

    public let unknownFields: UnknownFields
    /// The last `retry` value (milliseconds), if the stream gave one.
    public private(set) var retry: Int?
    /// The last event ID so far.
    public private(set) var lastEventID = ""

    private var pending: [UInt8] = []
    /// Where the unread part of `pending` begins.
    private var start = 0
    /// Bytes of `pending` from `start` already searched for a line end without finding one.
    private var scanned = 0
    private var data: [UInt8] = []
    private var hasData = false
    private var type: [UInt8] = []
    /// A CR ended the last line: an LF right after it belongs to that line end.
    private var skipLineFeed = false
    /// Still at the start of the stream, where a byte order mark may be.
    private var atStart = true

    public init(unknownFields: UnknownFields = .ignore) {
        self.unknownFields = unknownFields
    }

    /// Appends the next bytes of the body.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 {
            pending.removeFirst(start)
            start = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    public mutating func next() throws(SyntaxError) -> ServerSentEvent? {
        while let line = try nextLine() {
            if line.isEmpty {
                if let event = dispatch() { return event }
            } else {
                try process(line)
            }
        }
        return nil
    }

    /// The end of the stream, once `next()` has returned nil. By the standard, an event not closed by a blank line is
    /// discarded, and so is a last line without its line end: this returns nil, and the
    /// decoder is empty afterwards.
    ///
    /// With `flushing: true`, a last line without its line end is taken as a line and an
    /// event still open is dispatched, as if a blank line had followed: for the
    /// chat-completions client, which has always accepted a stream ending `data: [DONE]`
    /// without its closing blank line (some OpenAI-compatible servers end that way).
    public mutating func finish(flushing: Bool = false) throws(SyntaxError) -> ServerSentEvent? {
        defer {
            pending.removeAll()
            start = 0
            scanned = 0
            data.removeAll()
            hasData = false
            type.removeAll()
        }
        guard flushing else { return nil }
        skipBOM()
        if skipLineFeed, start < pending.count, pending[start] == UInt8(ascii: "\n") { start += 1 }
        skipLineFeed = false
        if start < pending.count { try process(pending[start...]) }
        return dispatch()
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            type.removeAll(keepingCapacity: true)
        }
        guard hasData else { return nil }
        return ServerSentEvent(
            type: type.isEmpty ? "message" : String(decoding: type, as: UTF8.self),
            data: String(decoding: data, as: UTF8.self), lastEventID: lastEventID)
    }

    private mutating func process(_ line: ArraySlice<UInt8>) throws(SyntaxError) {
        if line.first == UInt8(ascii: ":") { return }  // a comment (keep-alives)
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            name = line
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            type = Array(value)
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                if let ms = Int(String(decoding: value, as: UTF8.self)) { retry = ms }  // nil only when too large
            }
        default:
            if unknownFields == .reject {
                throw SyntaxError(line: String(decoding: line.prefix(120), as: UTF8.self), tooLong: false)
            }
        }
    }

    private mutating func skipBOM() {
        guard atStart else { return }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let available = pending[start...].prefix(3)
        if available.count < 3 {
            // Too few bytes to tell, unless they already differ from the mark.
            if !bom.starts(with: available) { atStart = false }
            return
        }
        if available.elementsEqual(bom) { start += 3 }
        atStart = false
    }

    private mutating func nextLine() throws(SyntaxError) -> ArraySlice<UInt8>? {
        skipBOM()
        if atStart { return nil }  // waiting for the first bytes
        if skipLineFeed, start < pending.count {
            skipLineFeed = false
            if pending[start] == UInt8(ascii: "\n") { start += 1 }
        }
        let from = start + scanned
        guard let end = pending[from...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
            scanned = pending.count - start
            if scanned > Self.maxLineBytes {
                throw SyntaxError(line: String(decoding: pending[start...].prefix(120), as: UTF8.self), tooLong: true)
            }
            return nil
        }
        scanned = 0
        let line = pending[start..<end]
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
