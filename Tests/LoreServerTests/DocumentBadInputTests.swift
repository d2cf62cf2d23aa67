import Foundation
import LoreTestSupport
import Testing

/// Every bad document request gets its documented 4xx in Lore's error shape, naming the
/// field, file or parameter, and changes nothing: the server stays healthy and every
/// document of the store is still there.
@Suite("lore serve: documents, bad input", .serialized)
struct DocumentBadInputTests {
    /// One server over its own store for the whole table (nothing here may change it).
    static let shared = SharedFixture { try await DocumentStore(config: "ingest:\n  max_file_bytes: 4000\n") }

    struct Case: CustomTestStringConvertible, Sendable {
        var method = "POST"
        var path = "/v1/documents"
        var body: String?
        /// `curl -F` fields instead of a JSON body.
        var form: [String]?
        var curl: [String] = []
        var status: Int
        var code: String
        /// A fragment the message must hold (the field, file or parameter).
        var mentions: String
        var testDescription: String { "\(method) \(path) \(body ?? form?.joined(separator: " ") ?? "") -> \(status) \(code)" }
    }

    static let good = #"{"name": "fine.md", "text": "A perfectly fine document about otters and rivers."}"#
    static let bad = TestPaths.ingestFixtures + "/bad"

    static let cases: [Case] = [
        // The body
        Case(body: #"{"documents": ["#, status: 400, code: "invalid_request", mentions: "not valid JSON"),
        Case(body: "", status: 400, code: "invalid_request", mentions: "empty"),
        Case(body: #"{"docs": []}"#, status: 400, code: "invalid_request", mentions: "docs"),
        Case(body: #"{"documents": "x"}"#, status: 400, code: "invalid_request", mentions: "documents"),
        Case(body: #"{"documents": []}"#, status: 400, code: "invalid_request", mentions: "documents"),
        Case(body: #"{"documents": [5]}"#, status: 400, code: "invalid_request", mentions: "documents[0]"),
        Case(
            body: #"{"documents": [{"name": 5, "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        Case(body: #"{"documents": [{"name": "a.md"}]}"#, status: 400, code: "invalid_request", mentions: "documents[0].text"),
        Case(body: #"{"documents": [{"text": "some text here"}]}"#, status: 400, code: "invalid_request", mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "a.md", "text": "some text here", "colour": "red"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].colour"),
        Case(
            body: #"{"documents": [{"name": "a.md", "text": "some text here", "metadata": {"team": {"x": 1}}}]}"#, status: 400,
            code: "invalid_request", mentions: "documents[0].metadata.team"),
        Case(body: #"{"documents": [\#(good)], "collection": 7}"#, status: 400, code: "invalid_request", mentions: "collection"),
        Case(
            body: #"{"documents": [\#(good)], "collection": "nowhere"}"#, status: 404, code: "collection_not_found", mentions: "collection"),
        Case(
            body: #"{"documents": [\#(Array(repeating: good, count: 101).joined(separator: ","))]}"#, status: 400, code: "invalid_request",
            mentions: "at most 100"),
        // Names
        Case(
            body: #"{"documents": [{"name": "../../etc/passwd", "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "notes/../../x.md", "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "/etc/passwd", "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "a\u0000b.md", "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "a\nb.md", "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "..\\win.md", "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "\#(String(repeating: "n", count: 600)).md", "text": "some text here"}]}"#, status: 400,
            code: "invalid_request", mentions: "documents[0].name"),
        Case(
            body: #"{"documents": [{"name": "", "text": "some text here"}]}"#, status: 400, code: "invalid_request",
            mentions: "documents[0].name"),
        // Formats
        Case(
            body: #"{"documents": [{"name": "report.rtf", "text": "some text here"}]}"#, status: 415, code: "unsupported_format",
            mentions: "report.rtf"),
        Case(
            body: #"{"documents": [{"name": "report.txt", "text": "some text here", "format": "rtf"}]}"#, status: 415,
            code: "unsupported_format", mentions: "documents[0].format"),
        Case(
            form: ["file=@\(bad)/unsupported.xyz;filename=data/thing.xyz"], status: 415, code: "unsupported_format", mentions: "thing.xyz"),
        Case(
            curl: ["-H", "Content-Type: text/plain", "--data-binary", "hello"], status: 415, code: "unsupported_media_type",
            mentions: "Content-Type"),
        // Content
        Case(body: #"{"documents": [{"name": "empty.md", "text": ""}]}"#, status: 422, code: "invalid_document", mentions: "empty.md"),
        Case(
            body: #"{"documents": [{"name": "blank.md", "text": "   \n\n  "}]}"#, status: 422, code: "invalid_document",
            mentions: "blank.md"),
        Case(
            body: #"{"documents": [{"name": "short.txt", "text": "tiny"}]}"#, status: 422, code: "invalid_document", mentions: "short.txt"),
        Case(
            body: #"{"documents": [{"name": "records.json", "text": "{\"title\": \"x\", "}]}"#, status: 422, code: "invalid_document",
            mentions: "records.json"),
        Case(
            body: #"{"documents": [{"name": "big.txt", "text": "\#(String(repeating: "lorem ipsum ", count: 400))"}]}"#, status: 422,
            code: "invalid_document", mentions: "max_file_bytes"),
        Case(form: ["file=@\(bad)/binary.txt;filename=garbage.txt"], status: 422, code: "invalid_document", mentions: "garbage.txt"),
        Case(form: ["file=@\(bad)/malformed.jsonl;filename=rows.jsonl"], status: 422, code: "invalid_document", mentions: "rows.jsonl"),
        Case(form: ["file=@\(bad)/truncated.pdf;filename=broken.pdf"], status: 422, code: "invalid_document", mentions: "broken.pdf"),
        // All or nothing: the good document of a batch with a bad one is not stored.
        Case(
            body: #"{"documents": [\#(good), {"name": "short.txt", "text": "tiny"}]}"#, status: 422, code: "invalid_document",
            mentions: "documents[1]"),
        Case(body: #"{"documents": [\#(good), \#(good)]}"#, status: 422, code: "invalid_document", mentions: "documents[1]"),
        // Forms
        Case(form: ["collection=default"], status: 400, code: "invalid_request", mentions: "file"),
        Case(form: ["file=@\(bad)/empty.txt;filename=a.txt", "colour=red"], status: 400, code: "invalid_request", mentions: "colour"),
        Case(form: ["file=@\(bad)/empty.txt;filename=../a.txt"], status: 400, code: "invalid_request", mentions: "file[0] filename"),
        Case(form: ["file=@\(bad)/empty.txt;filename=a.txt", "metadata={nope"], status: 400, code: "invalid_request", mentions: "metadata"),
        Case(
            form: ["file=@\(bad)/empty.txt;filename=a.txt", "collection=default", "collection=default"], status: 400,
            code: "invalid_request", mentions: "collection: given more than once"),
        Case(
            curl: ["-H", "Content-Type: multipart/form-data", "--data-binary", "--x\r\n"], status: 400, code: "invalid_request",
            mentions: "boundary parameter"),
        // Listing parameters
        Case(method: "GET", path: "/v1/documents?limit=0", status: 400, code: "invalid_request", mentions: "limit"),
        Case(method: "GET", path: "/v1/documents?limit=500", status: 400, code: "invalid_request", mentions: "limit"),
        Case(method: "GET", path: "/v1/documents?limit=ten", status: 400, code: "invalid_request", mentions: "limit"),
        Case(method: "GET", path: "/v1/documents?cursor=abc", status: 400, code: "invalid_request", mentions: "cursor"),
        Case(method: "GET", path: "/v1/documents?format=rtf", status: 400, code: "invalid_request", mentions: "format"),
        Case(method: "GET", path: "/v1/documents?colour=red", status: 400, code: "invalid_request", mentions: "colour"),
        Case(method: "GET", path: "/v1/documents?metadata.=x", status: 400, code: "invalid_request", mentions: "metadata."),
        Case(method: "GET", path: "/v1/documents?collection=nowhere", status: 404, code: "collection_not_found", mentions: "collection"),
        // Ids
        Case(method: "GET", path: "/v1/documents/abc", status: 400, code: "invalid_request", mentions: "id"),
        Case(method: "GET", path: "/v1/documents/0", status: 400, code: "invalid_request", mentions: "id"),
        Case(method: "GET", path: "/v1/documents/-1", status: 400, code: "invalid_request", mentions: "id"),
        Case(method: "GET", path: "/v1/documents/1e3", status: 400, code: "invalid_request", mentions: "id"),
        Case(method: "GET", path: "/v1/documents/..%2F..%2Fetc%2Fpasswd", status: 400, code: "invalid_request", mentions: "id"),
        Case(method: "GET", path: "/v1/documents/1%00", status: 400, code: "invalid_request", mentions: "id"),
        Case(
            method: "GET", path: "/v1/documents/\(String(repeating: "9", count: 5000))", status: 400, code: "invalid_request",
            mentions: "id"),
        Case(method: "GET", path: "/v1/documents/99999999", status: 404, code: "document_not_found", mentions: "id"),
        Case(method: "GET", path: "/v1/documents/1?include=everything", status: 400, code: "invalid_request", mentions: "include"),
        Case(method: "GET", path: "/v1/documents/1?colour=red", status: 400, code: "invalid_request", mentions: "colour"),
        Case(method: "DELETE", path: "/v1/documents/abc", status: 400, code: "invalid_request", mentions: "id"),
        Case(method: "DELETE", path: "/v1/documents/..%2F..%2Fetc%2Fpasswd", status: 400, code: "invalid_request", mentions: "id"),
        Case(method: "DELETE", path: "/v1/documents/99999999", status: 404, code: "document_not_found", mentions: "id"),
        Case(method: "DELETE", path: "/v1/documents/1?include=text", status: 400, code: "invalid_request", mentions: "include"),
        Case(method: "PUT", path: "/v1/documents", body: "{}", status: 405, code: "method_not_allowed", mentions: "GET")
    ]

    @Test("each bad request gets its 4xx, the error shape and a message naming the field, file or parameter", arguments: cases)
    func badRequest(_ c: Case) async throws {
        let docs = try await Self.shared.get()
        let before = try await docs.counts()
        let r: HTTPExchange
        if let form = c.form {
            r = try await docs.uploadForm(form)
        } else {
            r = try await docs.server.request(c.method, c.path, json: c.body, arguments: c.curl)
        }
        #expect(r.status == c.status, "\(r.body)")
        let error = try #require(r.error, "not the error shape: \(r.body)")
        #expect(error.code == c.code)
        #expect(error.message.contains(c.mentions), "\(error.message)")
        #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(try await docs.server.get("/healthz").status == 200)
        let after = try await docs.counts()
        #expect(after.mapValues { [$0.documents, $0.chunks] } == before.mapValues { [$0.documents, $0.chunks] })
    }

    @Test("a traversal path as is (not normalised by the client) is a 4xx and reads nothing; the server answers afterwards")
    func traversalAsIs() async throws {
        let docs = try await Self.shared.get()
        for path in ["/v1/documents/../../../../etc/passwd", "/v1/documents/%2e%2e/%2e%2e/etc/passwd", "/v1/documents/1/../../etc/passwd"] {
            let r = try await docs.server.request("GET", path, arguments: ["--path-as-is"])
            #expect((400..<500).contains(r.status), "\(path): \(r.status) \(r.body)")
            #expect(r.error != nil, "\(r.body)")
            #expect(!r.body.contains("root:"))
        }
        let r = try await docs.server.post("/v1/retrieve", #"{"question": "What is the maximum number of columns?"}"#)
        #expect(r.status == 200, "\(r.body)")
    }

    @Test("a duplicate of a stored document under another name is a 409 naming both; nothing changes")
    func duplicate() async throws {
        let docs = try await Self.shared.get()
        let before = try await docs.counts()
        let plain = try String(contentsOfFile: TestPaths.ingestFixtures + "/good/plain.txt", encoding: .utf8)
        let r = try await docs.upload(#"{"documents": [{"name": "copy.txt", "text": \#(JSONString(plain))}]}"#)
        #expect(r.status == 409, "\(r.body)")
        #expect(r.error?.code == "duplicate_document")
        #expect(r.error?.message.contains("copy.txt") == true && r.error?.message.contains("plain.txt") == true, "\(r.body)")
        #expect(try await docs.counts().mapValues { [$0.documents, $0.chunks] } == before.mapValues { [$0.documents, $0.chunks] })
    }

    @Test("after every bad request the stored documents are all there and the server answers from them")
    func intactAfterwards() async throws {
        let docs = try await Self.shared.get()
        let ids = try await docs.ids()
        #expect(ids.count == 2)
        for id in ids { #expect(try await docs.server.get("/v1/documents/\(id)").status == 200) }
        #expect(try await docs.server.get("/readyz").status == 200)
        #expect(
            try await docs.retrievedSources("What is the maximum number of columns?", mode: "dense").first?.hasSuffix("guide.md") == true)
    }
}
