import LoreChat
import LoreQuery
import Testing

/// How the chat names a source: its title, its heading (a slide's number and title, a
/// sheet's name), and a PDF's page.
@Suite("chat: source labels")
struct CitationLabelTests {
    static func citation(headingPath: String, page: Int? = nil, slide: Int? = nil, sheet: String? = nil) -> Citation {
        Citation(
            n: 1, source: "/docs/x", title: "Datatypes In SQLite", headingPath: headingPath, chunkID: 1, chunkIDs: [1], score: 0.5,
            relevance: 0.7, snippet: "…", cited: true, page: page, slide: slide, sheet: sheet)
    }

    @Test("a PDF source shows its page; a slide its number and title; a sheet its name")
    func labels() {
        #expect(ChatRenderer.label(Self.citation(headingPath: "", page: 2)) == "Datatypes In SQLite (p. 2)")
        #expect(
            ChatRenderer.label(Self.citation(headingPath: "Slide 2: Storage Classes", slide: 2))
                == "Datatypes In SQLite › Slide 2: Storage Classes")
        #expect(ChatRenderer.label(Self.citation(headingPath: "Totals", sheet: "Totals")) == "Datatypes In SQLite › Totals")
        #expect(Self.citation(headingPath: "", page: 2).location == "p. 2")
        #expect(Self.citation(headingPath: "Slide 2: Storage Classes", slide: 2).location == "slide 2")
        #expect(Self.citation(headingPath: "Totals", sheet: "Totals").location == "sheet Totals")
    }
}
