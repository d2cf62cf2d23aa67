import Foundation
import LoreTestSupport
import Testing

/// `POST /v1/query` and `POST /v1/retrieve` against a Lore server (in process, on loopback) over `corpus/`.
@Suite("lore serve: query and retrieve")
struct QueryRouteTests {
    static let question = "How do I turn on WAL mode, and what does it let readers do?"

    @Test("a query answers with the JSON of lore query --json: a cited answer, numbered citations, the request id")
    func query() async throws {
        let server = try await LoreServe.shared.get()
        let r = try await server.post("/v1/query", #"{"question": "\#(Self.question)"}"#, headers: ["X-Request-ID": "query-test-1"])
        #expect(r.status == 200, "\(r.body)")
        #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
        let o = try #require(r.json, "not JSON: \(r.body)")
        let answer = try #require(o["answer"] as? String)
        #expect(!answer.isEmpty && !answer.hasPrefix("I don't know"), "\(answer)")
        let citations = try #require(o["citations"] as? [[String: Any]])
        #expect(!citations.isEmpty)
        let cited = try #require(citations.first { $0["cited"] as? Bool == true })
        #expect((cited["source"] as? String)?.hasSuffix("sqlite-wal-mode.txt") == true, "\(cited)")
        #expect(o["request_id"] as? String == "query-test-1")
        #expect(r.headers["x-request-id"] == "query-test-1")

        // The same keys as the command line's JSON.
        let cli = try await runLore(["query", Self.question, "--db", (try await ServeCorpus.database()), "--json"])
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any], "\(cli.stderr)")
        #expect(Set(o.keys) == Set(expected.keys))
        #expect(o["answer"] as? String == expected["answer"] as? String)
    }

    @Test("stream: true answers text/event-stream that curl -N reads: retrieval, then deltas, then done")
    func stream() async throws {
        let server = try await LoreServe.shared.get()
        let body = #"{"question": "\#(Self.question)", "stream": true, "k": 3}"#
        let r = try await runProcess(
            "/usr/bin/curl",
            [
                "-N", "-s", "-S", "-i", "--max-time", "120", "-X", "POST",
                "-H", "Content-Type: application/json", "-d", body, server.url + "/v1/query"
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let parts = r.stdout.components(separatedBy: "\r\n\r\n")
        let head = parts[0].lowercased(), text = parts.dropFirst().joined(separator: "\r\n\r\n")
        #expect(head.contains("content-type: text/event-stream"), "\(head)")
        let events = parseEvents(text)
        let names = events.map(\.event)
        #expect(names.first == "retrieval", "\(names)")
        #expect(names.last == "done", "\(names)")
        #expect(names.contains("delta"))
        #expect(!names.contains("error"), "\(text)")
        let firstDelta = try #require(names.firstIndex(of: "delta"))
        #expect(names[firstDelta..<(names.count - 1)].allSatisfy { $0 == "delta" || $0 == "guardrail" }, "\(names)")
        let retrieval = try #require(try JSONSerialization.jsonObject(with: Data(events[0].data.utf8)) as? [String: Any])
        #expect((retrieval["citations"] as? [Any])?.isEmpty == false)
        let done = try #require(try JSONSerialization.jsonObject(with: Data(events.last!.data.utf8)) as? [String: Any])
        #expect(done["usage"] != nil && done["timings_ms"] != nil && done["answer"] is String, "\(done.keys)")
        let streamed = events.filter { $0.event == "delta" }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any])?["text"] as? String
        }.joined()
        #expect(!streamed.isEmpty)
    }

    @Test("retrieve returns passages with source, title, heading path, scores and text, best first, at most k")
    func retrieve() async throws {
        let server = try await LoreServe.shared.get()
        let r = try await server.post("/v1/retrieve", #"{"question": "\#(Self.question)", "k": 2}"#)
        #expect(r.status == 200, "\(r.body)")
        let o = try #require(r.json)
        let passages = try #require(o["passages"] as? [[String: Any]])
        #expect((1...2).contains(passages.count))
        for p in passages {
            for key in ["n", "source", "title", "heading_path", "score", "text", "chunk_ids"] {
                #expect(p[key] != nil, "passage lacks \(key)")
            }
        }
        #expect((passages[0]["source"] as? String)?.hasSuffix("sqlite-wal-mode.txt") == true, "\(passages[0])")
        #expect(o["sufficient"] as? Bool == true)
        #expect(o["timings_ms"] is [String: Any])
    }

    @Test("filters restrict what is retrieved: a format with no documents gives no passages")
    func filters() async throws {
        let server = try await LoreServe.shared.get()
        let r = try await server.post(
            "/v1/retrieve", #"{"question": "\#(Self.question)", "filters": {"source": "*.md", "collection": "default"}}"#)
        #expect(r.status == 200, "\(r.body)")
        let passages = try #require(r.json?["passages"] as? [[String: Any]])
        #expect(passages.allSatisfy { ($0["source"] as? String)?.hasSuffix(".md") == true }, "\(passages.map { $0["source"] ?? "" })")
    }

    @Test(
        "a request may name any collection of the store: each answers from its own documents only; an unknown one is a 404 naming the field"
    )
    func collections() async throws {
        let server = try await LoreServe.shared.get()
        let question =
            #"{"question": "What is in the documents?", "k": 10, "mode": "lexical", "collection": "\#(ServeCorpus.secondCollection)"}"#
        let second = try await server.post("/v1/retrieve", question.replacingOccurrences(of: "What is in the documents?", with: "sample"))
        #expect(second.status == 200, "\(second.body)")
        let passages = try #require(second.json?["passages"] as? [[String: Any]])
        #expect(!passages.isEmpty, "\(second.body)")
        for p in passages {
            #expect((p["source"] as? String)?.contains("/Fixtures/ingest/good/") == true, "\(p)")
        }
        let first = try await server.post("/v1/retrieve", #"{"question": "WAL mode readers", "k": 10}"#)
        let defaultPassages = try #require(first.json?["passages"] as? [[String: Any]])
        #expect(!defaultPassages.isEmpty)
        for p in defaultPassages {
            #expect((p["source"] as? String)?.contains("/Fixtures/") == false, "\(p)")
        }
        let missing = try await server.post("/v1/query", #"{"question": "wal", "collection": "nowhere"}"#)
        #expect(missing.status == 404, "\(missing.body)")
        #expect(missing.error?.code == "collection_not_found")
        #expect(missing.error?.message.hasPrefix("collection:") == true, "\(missing.body)")
        let clash = try await server.post(
            "/v1/query", #"{"question": "wal", "collection": "default", "filters": {"collection": "fixtures"}}"#)
        #expect(clash.status == 400 && clash.error?.message.contains("filters.collection") == true, "\(clash.body)")
    }
}
