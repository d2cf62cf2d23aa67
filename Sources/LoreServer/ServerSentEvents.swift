import Foundation
import Hummingbird
import LoreQuery

/// Server-sent events (`text/event-stream`) for `/v1/query` with `stream: true`: one
/// `event:` line and one `data:` line of compact JSON per event, then a blank line.
///
/// - `retrieval`: `{"citations": [...]}` (the numbered sources, as in the response)
/// - `delta`: `{"text": "..."}` (the next piece of the answer, already through the output guard)
/// - `guardrail`: `{"findings": [...]}`
/// - `done`: the whole response, as the non-streaming route returns it (usage, timings)
/// - `error`: `{"error": {"code": ..., "message": ...}}`, after which the stream ends
enum ServerSentEvents {
    static let contentType = "text/event-stream; charset=utf-8"

    private struct Citations: Encodable { var citations: [Citation] }
    private struct Delta: Encodable { var text: String }
    private struct Findings: Encodable { var findings: [GuardFinding] }

    /// The event's wire form.
    static func encode(_ event: QueryEvent) throws -> ByteBuffer {
        switch event {
        case .retrieval(let citations): return frame("retrieval", try ResponseJSON.encode(Citations(citations: citations)))
        case .delta(let text): return frame("delta", try ResponseJSON.encode(Delta(text: text)))
        case .guardrail(let findings): return frame("guardrail", try ResponseJSON.encode(Findings(findings: findings)))
        case .done(let response): return frame("done", try ResponseJSON.encode(response))
        }
    }

    static func error(_ error: APIError) -> ByteBuffer { frame("error", error.body) }

    static func frame(_ name: String, _ data: String) -> ByteBuffer {
        // Compact JSON has no raw line breaks, so one data line always suffices.
        ByteBuffer(string: "event: \(name)\ndata: \(data)\n\n")
    }
}

/// The JSON of Lore's responses: what `lore query --json` prints (sorted keys, slashes
/// unescaped).
enum ResponseJSON {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A 200 response holding `value` as JSON.
    static func response(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: try encode(value) + "\n")))
    }
}
