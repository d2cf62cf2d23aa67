import Foundation
import LoreTestSupport
import Testing

/// Citations name where in a document their passage is: a PDF's page, a presentation's
/// slide, a spreadsheet's sheet, on `/v1/query`, `/v1/retrieve` and the OpenAI-compatible
/// extension, over real files made by LibreOffice and python-pptx (Tests/Fixtures/documents)
/// ingested by the real `lore ingest`.
@Suite("lore serve: citations with pages, slides and sheets")
struct CitationLocationTests {
    /// A store of a two-page PDF, a slide deck and a workbook.
    final class Store: Sendable {
        static let shared = SharedFixture { try await Store() }
        let directory = TemporaryDirectory("lore-locations")
        let database: String

        private init() async throws {
            for f in ["text-2pages.pdf", "sqlite-slides.pptx", "sqlite-tables.xlsx"] {
                directory.copy(TestPaths.documentFixtures + "/" + f, as: "docs/" + f)
            }
            database = directory.path + "/lore.db"
            let r = try await runLore(["ingest", directory.path + "/docs", "--db", database, "--json"])
            precondition(r.status == 0, "ingest failed: \(r.stdout) \(r.stderr)")
        }
    }

    static func server() async throws -> LoreServe { try await LoreServe(database: try await Store.shared.get().database) }

    static func body(_ question: String, format: String) -> String {
        #"{"question": "\#(question)", "filters": {"format": "\#(format)"}}"#
    }

    @Test("a slide's citation has its slide number and no page; a PDF's its page; a sheet's its name")
    func query() async throws {
        let server = try await Self.server()
        let slide = try await server.post("/v1/query", Self.body("What is a storage class more general than?", format: "pptx"))
        #expect(slide.status == 200, "\(slide.body)")
        let cited = try #require((slide.json?["citations"] as? [[String: Any]])?.first { $0["cited"] as? Bool == true }, "\(slide.body)")
        #expect(cited["slide"] as? Int == 2, "\(cited)")
        #expect(cited["page"] == nil && cited["sheet"] == nil)

        let pdf = try await server.post("/v1/query", Self.body("What were the limits of SQLite originally designed around?", format: "pdf"))
        let citations = try #require(pdf.json?["citations"] as? [[String: Any]], "\(pdf.body)")
        #expect(!citations.isEmpty && citations.allSatisfy { [1, 2].contains($0["page"] as? Int) && $0["slide"] == nil }, "\(citations)")

        let sheet = try await server.post("/v1/retrieve", Self.body("Which substitution type displays octal?", format: "xlsx"))
        let passages = try #require(sheet.json?["passages"] as? [[String: Any]], "\(sheet.body)")
        #expect(!passages.isEmpty)
        let sheets = Set(passages.compactMap { $0["sheet"] as? String })
        #expect(sheets.isSubset(of: ["Substitution Types", "The Optional Length Field", "Totals"]) && !sheets.isEmpty, "\(passages)")
        #expect(passages.allSatisfy { $0["page"] == nil })
    }

    @Test("the OpenAI-compatible extension carries the slide too")
    func openAI() async throws {
        let server = try await Self.server()
        let body = #"""
            {"model": "lore-default", "messages": [{"role": "user", "content": "What is a storage class more general than?"}],
             "lore": {"filters": {"format": "pptx"}}}
            """#
        let r = try await server.post("/v1/chat/completions", body)
        #expect(r.status == 200, "\(r.body)")
        let citations = try #require((r.json?["lore"] as? [String: Any])?["citations"] as? [[String: Any]], "\(r.body)")
        #expect(citations.first { $0["cited"] as? Bool == true }?["slide"] as? Int == 2, "\(citations)")
    }
}
