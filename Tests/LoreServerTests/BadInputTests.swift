import Foundation
import LoreTestSupport
import Testing

/// Every bad request gets its documented 4xx in Lore's one error shape, with a message
/// naming the field, and leaves the server healthy.
@Suite("lore serve: bad input")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var method = "POST"
        var path = "/v1/query"
        var body: String?
        var status: Int
        var code: String
        /// A fragment the message must hold (the field's name).
        var mentions: String
        var testDescription: String { "\(method) \(path) \(body ?? "") -> \(status) \(code)" }

        /// Sends the request and expects its status, the error shape with its code, a message
        /// naming the field, JSON, and `Allow` on a 405.
        func expectDocumentedError(from server: LoreServe) async throws {
            let r = try await server.request(method, path, json: body)
            #expect(r.status == status, "\(r.body)")
            let error = try #require(r.error, "not the error shape: \(r.body)")
            #expect(error.code == code)
            #expect(error.message.contains(mentions), "\(error.message)")
            #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
            if status == 405 { #expect(r.headers["allow"] != nil) }
        }
    }

    static let cases: [Case] = [
        Case(body: #"{"question": "#, status: 400, code: "invalid_request", mentions: "not valid JSON"),
        Case(body: "", status: 400, code: "invalid_request", mentions: "empty"),
        Case(body: #"["question"]"#, status: 400, code: "invalid_request", mentions: "JSON object"),
        Case(body: #"{"question": 5}"#, status: 400, code: "invalid_request", mentions: "question"),
        Case(body: #"{"question": "wal", "k": "five"}"#, status: 400, code: "invalid_request", mentions: "k"),
        Case(body: #"{"question": "wal", "k": 2.5}"#, status: 400, code: "invalid_request", mentions: "k"),
        Case(body: #"{"question": "wal", "stream": "yes"}"#, status: 400, code: "invalid_request", mentions: "stream"),
        Case(body: #"{"question": "wal", "colour": "blue"}"#, status: 400, code: "invalid_request", mentions: "colour"),
        Case(body: #"{"k": 3}"#, status: 400, code: "invalid_request", mentions: "question"),
        Case(body: #"{"question": "   "}"#, status: 400, code: "invalid_request", mentions: "question"),
        Case(body: #"{"question": "wal", "k": 0}"#, status: 400, code: "invalid_request", mentions: "k"),
        Case(body: #"{"question": "wal", "k": 1000}"#, status: 400, code: "invalid_request", mentions: "k"),
        Case(body: #"{"question": "wal", "k": 30, "fetch_k": 10}"#, status: 400, code: "invalid_request", mentions: "fetch_k"),
        Case(body: #"{"question": "wal", "mode": "psychic"}"#, status: 400, code: "invalid_request", mentions: "mode"),
        Case(
            body: #"{"question": "wal", "filters": {"format": "rtf"}}"#, status: 400, code: "invalid_request", mentions: "filters.format"),
        Case(body: #"{"question": "wal", "filters": {"author": "x"}}"#, status: 400, code: "invalid_request", mentions: "filters.author"),
        Case(
            body: #"{"question": "wal", "filters": {"metadata": {"team": [1]}}}"#, status: 400, code: "invalid_request",
            mentions: "filters.metadata.team"),
        Case(
            body: #"{"question": "wal", "filters": {"collection": "elsewhere"}}"#, status: 404, code: "collection_not_found",
            mentions: "filters.collection"),
        Case(body: #"{"question": "wal", "backend": "gpt-9"}"#, status: 400, code: "invalid_request", mentions: "backend"),
        Case(body: #"{"question": "wal", "prompt": "answer@v99"}"#, status: 400, code: "invalid_request", mentions: "prompt"),
        Case(body: #"{"question": "wal", "prompt": "condense@v1"}"#, status: 400, code: "invalid_request", mentions: "prompt"),
        Case(
            body: #"{"question": "wal", "history": [{"role": "wizard", "content": "hi"}]}"#, status: 400, code: "invalid_request",
            mentions: "history[0].role"),
        Case(body: #"{"question": "wal", "history": {"role": "user"}}"#, status: 400, code: "invalid_request", mentions: "history"),
        Case(body: #"{"question": "wal", "stream": true, "mode": "psychic"}"#, status: 400, code: "invalid_request", mentions: "mode"),
        Case(
            path: "/v1/retrieve", body: #"{"question": "wal", "prompt": "answer@v1"}"#, status: 400, code: "invalid_request",
            mentions: "prompt"),
        Case(path: "/v1/retrieve", body: #"{"question": ""}"#, status: 400, code: "invalid_request", mentions: "question"),
        Case(method: "GET", path: "/v1/nothing-here", status: 404, code: "not_found", mentions: "/v1/nothing-here"),
        Case(method: "GET", path: "/v1/query", status: 405, code: "method_not_allowed", mentions: "POST"),
        Case(method: "DELETE", path: "/healthz", status: 405, code: "method_not_allowed", mentions: "GET")
    ]

    @Test("each bad request gets its 4xx, the error shape and a message naming the field", arguments: cases)
    func badRequest(_ c: Case) async throws {
        let server = try await LoreServe.shared.get()
        try await c.expectDocumentedError(from: server)
    }

    @Test("a body over the limit (1 MiB by default) gets 413")
    func tooLarge() async throws {
        let server = try await LoreServe.shared.get()
        let dir = TemporaryDirectory("lore-413")
        let file = dir.write("big.json", #"{"question": ""# + String(repeating: "a", count: (1 << 20) + 10) + #""}"#)
        let r = try await server.request("POST", "/v1/query", bodyFile: file)
        #expect(r.status == 413, "\(r.body.prefix(200))")
        #expect(r.error?.code == "payload_too_large")
    }

    @Test("after every bad request the server is healthy and answers")
    func healthyAfterwards() async throws {
        let server = try await LoreServe.shared.get()
        for c in Self.cases { _ = try await server.request(c.method, c.path, json: c.body) }
        #expect(try await server.get("/healthz").status == 200)
        #expect(try await server.get("/readyz").status == 200)
        let r = try await server.post("/v1/query", #"{"question": "What does WAL mode let readers do?"}"#)
        #expect(r.status == 200 && (r.json?["answer"] as? String)?.isEmpty == false, "\(r.body)")
    }
}
