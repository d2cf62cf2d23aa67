import LoreCore
import Testing

@testable import LoreChat

/// The `/v1/query` event stream decoded as it arrives: events split anywhere (inside a
/// line, inside a UTF-8 character) come out whole, named, in order.
@Suite("lore chat: server-sent events")
struct EventStreamDecoderTests {
    static let stream =
        "event: retrieval\ndata: {\"citations\":[]}\n\n: keep-alive\n\nevent: delta\ndata: {\"text\":\"wörld\"}\n\nevent: done\r\ndata: {}\r\n\r\n"

    @Test("split at every byte, the events are the same", arguments: Array(0...stream.utf8.count))
    func splitAnywhere(_ cut: Int) throws {
        let bytes = Array(Self.stream.utf8)
        var decoder = ServerSentEventDecoder()
        var events: [ServerSentEvent] = []
        decoder.append(bytes[..<cut])
        while let e = try decoder.next() { events.append(e) }
        decoder.append(bytes[cut...])
        while let e = try decoder.next() { events.append(e) }
        #expect(
            events == [
                .init(type: "retrieval", data: "{\"citations\":[]}"), .init(type: "delta", data: "{\"text\":\"wörld\"}"),
                .init(type: "done", data: "{}")
            ])
    }

    @Test("an error event is thrown as a failure with the server's code and message")
    func errorEvent() {
        #expect(throws: ChatFailure(code: "backend_failed", "the LLM is down")) {
            try HTTPSource.decode(.init(type: "error", data: #"{"error":{"code":"backend_failed","message":"the LLM is down"}}"#))
        }
    }
}
