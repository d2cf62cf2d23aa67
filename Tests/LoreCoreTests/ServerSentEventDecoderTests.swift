import LoreCore
import Testing

/// The event-stream decoder against the WHATWG HTML standard's rules (§9.2.6), fed in
/// pieces of every size.
@Suite("Server-sent event decoder")
struct ServerSentEventDecoderTests {
    /// Every event of `pieces`, then what `finish(flushing:)` gives.
    func decode(_ pieces: [[UInt8]], flushing: Bool = false, unknownFields: ServerSentEventDecoder.UnknownFields = .ignore) throws
        -> [ServerSentEvent]
    {
        var d = ServerSentEventDecoder(unknownFields: unknownFields)
        var events: [ServerSentEvent] = []
        for p in pieces {
            d.append(p)
            while let e = try d.next() { events.append(e) }
        }
        if let e = try d.finish(flushing: flushing) { events.append(e) }
        return events
    }

    func decode(_ text: String, flushing: Bool = false) throws -> [ServerSentEvent] { try decode([Array(text.utf8)], flushing: flushing) }

    /// The same events whether the bytes come whole, cut in two anywhere, or one by one.
    func decodeEverySplit(_ bytes: [UInt8], flushing: Bool = false) throws -> [ServerSentEvent] {
        let whole = try decode([bytes], flushing: flushing)
        for cut in 0...bytes.count {
            #expect(try decode([Array(bytes[..<cut]), Array(bytes[cut...])], flushing: flushing) == whole, "cut at \(cut)")
        }
        #expect(try decode(bytes.map { [$0] }, flushing: flushing) == whole, "one byte per piece")
        return whole
    }

    @Test("lines end in LF, CR LF or CR, mixed in one stream")
    func lineEnds() throws {
        let events = try decodeEverySplit(Array("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\r\ndata: e\n\r".utf8))
        #expect(events.map(\.data) == ["a", "b", "c", "d\ne"])
    }

    @Test("a CR ending one piece and an LF starting the next are one line end")
    func crLFAcrossPieces() throws {
        // Were the LF a second line end, it would be a blank line and dispatch "a" alone.
        let events = try decode([Array("data: a\r".utf8), Array("\ndata: b\r\n\r\n".utf8)])
        #expect(events == [ServerSentEvent(data: "a\nb")])
        // A CR then a CR is two line ends: a blank line.
        #expect(try decode([Array("data: a\r".utf8), Array("\rdata: b\n\n".utf8)]).map(\.data) == ["a", "b"])
    }

    @Test("lines starting with a colon are comments")
    func comments() throws {
        let events = try decodeEverySplit(Array(": keep-alive\n:\ndata: x\n: inside an event\ndata: y\n\n: after\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "x\ny")])
    }

    @Test("data lines are joined with LF; a data field without a value adds an empty line")
    func dataLines() throws {
        #expect(try decode("data: one\ndata: two\ndata: three\n\n").map(\.data) == ["one\ntwo\nthree"])
        #expect(try decode("data\ndata\n\n").map(\.data) == ["\n"])
        #expect(try decode("data:\n\n").map(\.data) == [""])
        #expect(try decode("data: a\ndata:\ndata: b\n\n").map(\.data) == ["a\n\nb"])
    }

    @Test("one leading space after the colon is removed, no more, and colons in the value stay")
    func leadingSpace() throws {
        #expect(
            try decode("data:no space\n\ndata: one\n\ndata:  two\n\ndata: a: b\n\ndata:\tt\n\n").map(\.data)
                == ["no space", "one", " two", "a: b", "\tt"])
    }

    @Test("event sets the type, message by default, and the type does not outlive its event")
    func eventType() throws {
        let events = try decode("event: delta\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\nevent: a\nevent: b\ndata: 4\n\n")
        #expect(events.map(\.type) == ["delta", "message", "message", "b"])
    }

    @Test("an event without data is not dispatched, and its type is dropped with it")
    func noData() throws {
        #expect(try decode("event: ping\n\n\n\nid: 3\n\n").isEmpty)
        #expect(try decode("event: ping\n\ndata: x\n\n") == [ServerSentEvent(type: "message", data: "x")])
    }

    @Test("id sets the last event ID, which carries over to later events; an id with NUL is ignored")
    func ids() throws {
        var d = ServerSentEventDecoder()
        d.append(Array("id: 1\ndata: a\n\ndata: b\n\nid: 2\u{0}x\ndata: c\n\nid\ndata: d\n\n".utf8))
        var events: [ServerSentEvent] = []
        while let e = try d.next() { events.append(e) }
        #expect(events.map(\.lastEventID) == ["1", "1", "1", ""])
        #expect(d.lastEventID == "")
    }

    @Test("retry takes ASCII digits only")
    func retry() throws {
        func retry(after text: String) throws -> Int? {
            var d = ServerSentEventDecoder()
            d.append(Array(text.utf8))
            while try d.next() != nil {}
            return d.retry
        }
        #expect(try retry(after: "retry: 3000\n") == 3000)
        #expect(try retry(after: "retry: 3000\nretry: 12\n") == 12)
        for bad in ["retry: 30a0\n", "retry: -1\n", "retry: 1.5\n", "retry:\n", "retry:  10\n", "retry: ١٢\n"] {
            #expect(try retry(after: bad) == nil, "\(bad.debugDescription)")
        }
        #expect(try retry(after: "retry: 5\nretry: x\n") == 5, "an invalid retry leaves the last valid one")
    }

    @Test("a blank line dispatches: several events in order, blank lines between them ignored")
    func dispatch() throws {
        #expect(try decode("data: 1\n\n\n\ndata: 2\n\n").map(\.data) == ["1", "2"])
        // Nothing is dispatched before its blank line arrives.
        var d = ServerSentEventDecoder()
        d.append(Array("data: 1\n".utf8))
        #expect(try d.next() == nil)
        d.append(Array("\n".utf8))
        #expect(try d.next()?.data == "1")
    }

    @Test("at the end of the stream an unterminated event is discarded, unless the caller flushes it")
    func unterminated() throws {
        #expect(try decode("data: x\n\ndata: y\n").map(\.data) == ["x"])
        #expect(try decode("data: x\n\ndata: y").map(\.data) == ["x"])
        #expect(try decodeEverySplit(Array("data: x\n\ndata: y\n".utf8), flushing: true).map(\.data) == ["x", "y"])
        #expect(try decodeEverySplit(Array("data: x\n\ndata: [DONE]".utf8), flushing: true).map(\.data) == ["x", "[DONE]"])
        #expect(try decode("data: x\n\nevent: e\n", flushing: true).map(\.data) == ["x"], "flushing dispatches only an event with data")
    }

    @Test("a UTF-8 byte order mark at the start is skipped, even split across pieces; elsewhere it is not")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(try decodeEverySplit(bom + Array("data: x\n\n".utf8)) == [ServerSentEvent(data: "x")])
        // Only one mark is skipped: a second one makes the field name "\u{FEFF}data", unknown.
        #expect(try decode([bom + bom + Array("data: x\n\ndata: y\n\n".utf8)]).map(\.data) == ["y"])
        // Later in the stream it is part of the line.
        #expect(
            try decode([Array("data: x\n\n".utf8) + bom + Array("data: y\n\ndata: \u{FEFF}z\n\n".utf8)]).map(\.data) == ["x", "\u{FEFF}z"])
        // A stream that starts like a mark but is not one loses nothing.
        #expect(try decodeEverySplit([0xEF, 0xBB] + Array(":\ndata: w\n\n".utf8)).map(\.data) == ["w"])
    }

    @Test("pieces split anywhere, inside multi-byte UTF-8 characters too, give the same events")
    func multiByteSplits() throws {
        let text =
            "event: delta\ndata: {\"text\":\"wörld\"}\n\n: ☕ keep-alive\r\nid: ü-1\r\ndata: 😀 e\u{301}\r\ndata: 中文\r\n\r\nevent: done\rdata: {}\r\r"
        let events = try decodeEverySplit(Array(text.utf8))
        #expect(
            events == [
                ServerSentEvent(type: "delta", data: "{\"text\":\"wörld\"}"),
                ServerSentEvent(data: "😀 e\u{301}\n中文", lastEventID: "ü-1"),
                ServerSentEvent(type: "done", data: "{}", lastEventID: "ü-1")
            ])
    }

    @Test("fields the standard does not define are ignored, or rejected when the decoder is told to")
    func unknownFields() throws {
        #expect(try decode("foo: bar\nDATA: no\ndata: yes\n\n").map(\.data) == ["yes"])
        #expect(throws: ServerSentEventDecoder.SyntaxError.self) {
            try decode([Array("data: ok\n\n<html>oops</html>\n\n".utf8)], unknownFields: .reject)
        }
        // The events before the bad line still come out.
        var d = ServerSentEventDecoder(unknownFields: .reject)
        d.append(Array("data: ok\n\n<html>\n".utf8))
        #expect(try d.next()?.data == "ok")
        #expect(throws: ServerSentEventDecoder.SyntaxError.self) { try d.next() }
    }
}
