import Foundation
import LoreTestSupport
import Synchronization
import Testing

/// The document routes over a store of the test's own: upload (JSON and `curl -F`), find by
/// query, list, get, delete, and the counts going back.
@Suite("lore serve: documents")
struct DocumentRouteTests {
    static let zephyr = """
        # Zephyr compaction

        The zephyr compactor merges segment files once the zephyr backlog passes 37 megabytes. \
        Operators tune the zephyr threshold with the compaction_backlog_mb setting.
        """
    static let question = "When does the zephyr compactor merge segment files?"

    @Test("JSON upload: queries find it at once (dense and lexical), it is listed and shown; delete removes it from queries and counts")
    func lifecycle() async throws {
        let docs = try await DocumentStore()
        let before = try await docs.counts()
        let body = #"{"documents": [{"name": "notes/zephyr.md", "text": \#(JSONString(Self.zephyr)), "metadata": {"team": "storage"}}]}"#
        let up = try await docs.upload(body)
        #expect(up.status == 201, "\(up.body)")
        let upload = try #require(up.uploads.first, "\(up.body)")
        #expect(upload["status"] as? String == "added")
        #expect(upload["source"] as? String == "upload:notes/zephyr.md")
        #expect((upload["chunks"] as? Int ?? 0) >= 1)
        let id = try #require(up.firstDocumentID)

        // The served index took the new vectors before the response: dense retrieval finds it.
        #expect(try await docs.retrievedSources(Self.question, mode: "dense").first == "upload:notes/zephyr.md")
        #expect(try await docs.retrievedSources(Self.question, mode: "lexical").first == "upload:notes/zephyr.md")
        let q = try await docs.server.post("/v1/query", #"{"question": "\#(Self.question)"}"#)
        #expect(q.status == 200, "\(q.body)")
        let citations = q.json?["citations"] as? [[String: Any]] ?? []
        #expect(citations.contains { $0["source"] as? String == "upload:notes/zephyr.md" && $0["cited"] as? Bool == true }, "\(q.body)")
        #expect((q.json?["answer"] as? String)?.contains("37") == true, "\(q.body)")

        let after = try await docs.counts()
        #expect(after["default"]!.documents == before["default"]!.documents + 1)
        #expect(after["other"]!.documents == before["other"]!.documents)

        let listed = try await docs.server.get("/v1/documents?metadata.team=storage")
        #expect(listed.status == 200, "\(listed.body)")
        let rows = listed.json?["documents"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["id"] as? Int } == [id], "\(listed.body)")
        #expect(rows.first?["name"] as? String == "notes/zephyr.md")
        #expect((rows.first?["metadata"] as? [String: Any])?["team"] as? String == "storage")

        let shown = try await docs.server.get("/v1/documents/\(id)?include=text")
        #expect(shown.status == 200, "\(shown.body)")
        let document = shown.json?["document"] as? [String: Any]
        #expect(document?["source"] as? String == "upload:notes/zephyr.md")
        #expect(document?["format"] as? String == "md")
        #expect(document?["title"] as? String == "Zephyr compaction")
        let chunks = shown.json?["chunks"] as? [[String: Any]] ?? []
        #expect(!chunks.isEmpty)
        #expect(chunks.allSatisfy { $0["id"] is Int && ($0["token_count"] as? Int ?? 0) > 0 && $0["heading_path"] is String })
        #expect(chunks.contains { ($0["text"] as? String)?.contains("37 megabytes") == true })
        let plain = try await docs.server.get("/v1/documents/\(id)")
        #expect((plain.json?["chunks"] as? [[String: Any]])?.allSatisfy { $0["text"] == nil } == true, "\(plain.body)")

        let deleted = try await docs.server.request("DELETE", "/v1/documents/\(id)")
        #expect(deleted.status == 200, "\(deleted.body)")
        #expect(deleted.json?["chunks_removed"] as? Int == chunks.count)
        #expect(deleted.json?["vectors_removed"] as? Int == chunks.count)
        #expect(!(try await docs.retrievedSources(Self.question, mode: "dense")).contains("upload:notes/zephyr.md"))
        #expect(!(try await docs.retrievedSources(Self.question, mode: "lexical")).contains("upload:notes/zephyr.md"))
        #expect(try await docs.server.get("/v1/documents/\(id)").status == 404)
        #expect(try await docs.server.request("DELETE", "/v1/documents/\(id)").status == 404)
        let end = try await docs.counts()
        #expect(end["default"]!.documents == before["default"]!.documents && end["default"]!.chunks == before["default"]!.chunks)

        // The server's metrics and the store agree.
        let metrics = try await docs.server.get("/metrics").body.split(separator: "\n")
        func sample(_ name: String, _ labels: [String]) -> String? {
            metrics.first { $0.hasPrefix(name + "{") && labels.allSatisfy($0.contains) }.map { String($0.split(separator: " ").last!) }
        }
        #expect(sample("lore_documents_ingested_total", [#"collection="default""#, #"status="added""#]) == "1", "\(metrics)")
        #expect(sample("lore_documents_deleted_total", [#"collection="default""#]) == "1")
        #expect(sample("lore_document_ingest_duration_seconds_count", [#"collection="default""#]) == "1")
    }

    @Test(
        "multipart upload of Office files: a Word file and a slide deck go through their loaders; an encrypted one is refused by name and stores nothing"
    )
    func officeUpload() async throws {
        let docs = try await DocumentStore()
        let up = try await docs.uploadForm([
            "file=@\(TestPaths.documentFixtures)/python-docx.docx;filename=guides/printf.docx",
            "file=@\(TestPaths.documentFixtures)/sqlite-slides.pptx;filename=decks/types.pptx", "collection=other"
        ])
        #expect(up.status == 201, "\(up.body)")
        let formats = up.uploads.compactMap { ($0["documents"] as? [[String: Any]])?.first?["format"] as? String }
        #expect(formats == ["docx", "pptx"], "\(up.body)")
        let answer = try await docs.server.post(
            "/v1/query", #"{"question": "What is a storage class more general than?", "collection": "other"}"#)
        let cited = (answer.json?["citations"] as? [[String: Any]] ?? []).first { $0["cited"] as? Bool == true }
        #expect(cited?["source"] as? String == "upload:decks/types.pptx" && cited?["slide"] as? Int == 2, "\(answer.body)")

        let before = try await docs.counts()
        let locked = try await docs.uploadForm([
            "file=@\(TestPaths.documentFixtures)/bad/encrypted.docx;filename=secret.docx", "collection=other"
        ])
        #expect(locked.status == 422, "\(locked.body)")
        #expect(locked.error?.message.contains("password-protected") == true, "\(locked.body)")
        #expect(try await docs.counts()["other"]?.documents == before["other"]?.documents)
    }

    @Test("multipart upload with curl -F: files, a collection and metadata; a PDF goes through its loader")
    func multipart() async throws {
        let docs = try await DocumentStore()
        let dir = TemporaryDirectory("lore-upload")
        let notes = dir.write("local-name-ignored.md", Self.zephyr)
        let up = try await docs.uploadForm([
            "file=@\(notes);filename=ops/zephyr.md", "file=@\(TestPaths.ingestFixtures)/good/doc.pdf;filename=manuals/doc.pdf",
            "collection=other", #"metadata={"team": "ops", "tier": 2}"#
        ])
        #expect(up.status == 201, "\(up.body)")
        #expect(up.json?["collection"] as? String == "other")
        #expect(up.uploads.map { $0["source"] as? String } == ["upload:ops/zephyr.md", "upload:manuals/doc.pdf"], "\(up.body)")
        let pdf = try #require((up.uploads.last?["documents"] as? [[String: Any]])?.first)
        #expect(pdf["format"] as? String == "pdf")

        #expect(try await docs.retrievedSources(Self.question, mode: "dense", collection: "other").first == "upload:ops/zephyr.md")
        // Not in the default collection.
        #expect(!(try await docs.retrievedSources(Self.question, mode: "lexical")).contains("upload:ops/zephyr.md"))

        let byFormat = try await docs.server.get("/v1/documents?collection=other&format=pdf")
        #expect(
            (byFormat.json?["documents"] as? [[String: Any]])?.map { $0["source"] as? String } == ["upload:manuals/doc.pdf"],
            "\(byFormat.body)")
        let bySource = try await docs.server.get("/v1/documents?collection=other&source=upload:ops/*")
        #expect(
            (bySource.json?["documents"] as? [[String: Any]])?.map { $0["source"] as? String } == ["upload:ops/zephyr.md"],
            "\(bySource.body)")
        let byMeta = try await docs.server.get("/v1/documents?collection=other&metadata.tier=2&metadata.team=ops")
        #expect((byMeta.json?["documents"] as? [[String: Any]])?.count == 2, "\(byMeta.body)")
        // No file was written under the names given.
        #expect(!FileManager.default.fileExists(atPath: "ops/zephyr.md") && !FileManager.default.fileExists(atPath: "manuals"))

        // A body written byte for byte, as browsers and HTTP libraries send it: a quoted
        // boundary, and an RFC 8187 filename* (percent-encoded UTF-8) that wins over filename.
        let boundary = "lore:quoted boundary"
        let form =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"resume.md\"; "
            + "filename*=UTF-8''notes%2Fr%C3%A9sum%C3%A9.md\r\nContent-Type: text/markdown\r\n\r\n"
            + "# Résumé\n\nThe quokka survey counted 412 burrows on the northern ridge this spring.\n"
            + "\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"collection\"\r\n\r\nother\r\n--\(boundary)--\r\n"
        let raw = dir.write("form.bin", form)
        let encoded = try await docs.server.request(
            "POST", "/v1/documents",
            arguments: ["-H", "Content-Type: multipart/form-data; boundary=\"\(boundary)\"", "--data-binary", "@" + raw])
        #expect(encoded.status == 201, "\(encoded.body)")
        #expect(encoded.uploads.map { $0["source"] as? String } == ["upload:notes/résumé.md"], "\(encoded.body)")
        // The same form with collection twice is a 400 naming it.
        let twice = dir.write(
            "twice.bin",
            form.replacingOccurrences(
                of: "--\(boundary)--\r\n",
                with: "--\(boundary)\r\nContent-Disposition: form-data; name=\"collection\"\r\n\r\ndefault\r\n--\(boundary)--\r\n"))
        let repeated = try await docs.server.request(
            "POST", "/v1/documents",
            arguments: ["-H", "Content-Type: multipart/form-data; boundary=\"\(boundary)\"", "--data-binary", "@" + twice])
        #expect(repeated.status == 400, "\(repeated.body)")
        #expect(repeated.error?.message == "collection: given more than once; only file may be repeated", "\(repeated.body)")
    }

    @Test("paging: limit and next_cursor walk every document once, in id order")
    func paging() async throws {
        let docs = try await DocumentStore()
        let items = (1...5).map { #"{"name": "page/\#($0).txt", "text": "Paging fixture number \#($0) about topic \#($0 * 7)."}"# }
        #expect(try await docs.upload(#"{"documents": [\#(items.joined(separator: ","))]}"#).status == 201)
        let all = try await docs.ids()
        var seen: [Int] = []
        var cursor: String? = nil
        var pages = 0
        repeat {
            let r = try await docs.server.get("/v1/documents?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(r.status == 200, "\(r.body)")
            let page = (r.json?["documents"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            #expect(page.count <= 2)
            seen += page
            cursor = r.json?["next_cursor"] as? String
            pages += 1
        } while cursor != nil && pages < 20
        #expect(seen == all && seen == seen.sorted() && all.count == 2 + 5, "\(seen) vs \(all)")
        #expect(pages == 4)
    }

    @Test("re-posting a name: unchanged when the same, updated (old text gone from queries) when changed")
    func replace() async throws {
        let docs = try await DocumentStore()
        let first = #"{"documents": [{"name": "notes/zephyr.md", "text": \#(JSONString(Self.zephyr))}]}"#
        #expect(try await docs.upload(first).status == 201)
        let again = try await docs.upload(first)
        #expect(again.uploads.first?["status"] as? String == "unchanged", "\(again.body)")
        let changed = Self.zephyr.replacingOccurrences(of: "zephyr", with: "mistral").replacingOccurrences(of: "Zephyr", with: "Mistral")
        let second = try await docs.upload(#"{"documents": [{"name": "notes/zephyr.md", "text": \#(JSONString(changed))}]}"#)
        #expect(second.status == 201 && second.uploads.first?["status"] as? String == "updated", "\(second.body)")
        #expect(try await docs.ids().count == 3)
        // The old text is gone: no chunk of the document holds it, lexical search no longer matches it.
        let id = try #require(second.firstDocumentID)
        let shown = try await docs.server.get("/v1/documents/\(id)?include=text")
        let text = (shown.json?["chunks"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined(separator: "\n")
        #expect(text.contains("mistral") && !text.lowercased().contains("zephyr"), "\(shown.body)")
        #expect(!(try await docs.retrievedSources("zephyr", mode: "lexical")).contains("upload:notes/zephyr.md"))
        #expect(
            try await docs.retrievedSources("When does the mistral compactor merge segment files?", mode: "dense").first
                == "upload:notes/zephyr.md")
    }

    @Test("concurrent uploads, deletions and queries: every write lands once (one serialised writer), queries keep answering")
    func concurrent() async throws {
        let docs = try await DocumentStore()
        let before = try await docs.counts()["default"]!.documents
        let server = docs.server
        let statuses = Statuses()
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<12 {
                group.addTask {
                    let r: HTTPExchange?
                    if i % 3 == 2 {
                        r = try? await server.post("/v1/retrieve", #"{"question": "What is the maximum number of columns?"}"#)
                    } else {
                        r = try? await server.post(
                            "/v1/documents",
                            #"{"documents": [{"name": "load/\#(i).txt", "text": "Concurrent upload \#(i) about walrus colony \#(i * 13)."}]}"#
                        )
                    }
                    statuses.append(i % 3 == 2 ? "retrieve \(r?.status ?? 0)" : "upload \(r?.status ?? 0)")
                }
            }
        }
        #expect(statuses.values.filter { $0 == "upload 201" }.count == 8, "\(statuses.values)")
        #expect(statuses.values.filter { $0 == "retrieve 200" }.count == 4, "\(statuses.values)")
        #expect(try await docs.counts()["default"]!.documents == before + 8)
        let ids = try await docs.ids()
        await withTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    statuses.append("delete \((try? await server.request("DELETE", "/v1/documents/\(id)"))?.status ?? 0)")
                }
            }
        }
        #expect(statuses.values.filter { $0 == "delete 200" }.count == ids.count)
        #expect(try await docs.counts()["default"]!.documents == 0)
        #expect(try await docs.retrievedSources("walrus colony", mode: "dense").isEmpty)
    }

    @Test("a document of another collection is a 404 through this collection's routes, never a 403, and is not touched")
    func foreignCollection() async throws {
        let docs = try await DocumentStore()
        let foreign = try #require(try await docs.ids(collection: "other").first)
        let own = try #require(try await docs.ids().first)
        for (method, path) in [
            ("GET", "/v1/documents/\(foreign)"), ("DELETE", "/v1/documents/\(foreign)"),
            ("GET", "/v1/documents/\(own)?collection=other"), ("DELETE", "/v1/documents/\(own)?collection=other")
        ] {
            let r = try await docs.server.request(method, path)
            #expect(r.status == 404, "\(method) \(path): \(r.body)")
            #expect(r.error?.code == "document_not_found")
            #expect(r.error?.message.contains("id") == true)
        }
        #expect(try await docs.server.get("/v1/documents/\(foreign)?collection=other").status == 200)
        #expect(try await docs.server.get("/v1/documents/\(own)").status == 200)
    }
}

/// A Swift string as a JSON string literal.
func JSONString(_ s: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: [s]), as: UTF8.self).dropFirst().dropLast().description
}

/// Results gathered from concurrent requests.
final class Statuses: Sendable {
    private let items = Mutex<[String]>([])
    func append(_ s: String) { items.withLock { $0.append(s) } }
    var values: [String] { items.withLock { $0 } }
}
