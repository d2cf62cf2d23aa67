import Foundation
import LoreCore
import LoreIngest
import Testing

/// The PDF loader runs poppler's `pdftotext`; these tests need it installed (scripts/bootstrap).
@Suite("PDF loader", .enabled(if: GeneratedDocuments.hasPdftotext, "pdftotext (poppler-utils) is not installed"))
struct PDFLoaderTests {
    let loader = PDFLoader()

    /// A PDF input as the ingestor builds it: the loader reads the file, not decoded text.
    private func input(_ relative: String) throws -> LoaderInput {
        LoaderInput(path: Fixture.path(relative), data: try Fixture.bytes(relative), text: "", options: LoadOptions())
    }

    @Test("each page becomes a section with its 1-based page number")
    func pagesAreSections() throws {
        let doc = try Fixture.single(try loader.load(try input("good/doc.pdf")))
        #expect(doc.format == .pdf)
        #expect(doc.sections.map(\.page) == [1, 2])
        #expect(doc.sections.allSatisfy { $0.headingPath.isEmpty })
        #expect(doc.text(of: doc.sections[0]) == "PAGEONE alpha")
        #expect(doc.text(of: doc.sections[1]) == "PAGETWO beta")
        #expect(doc.section(containing: "PAGEONE")?.page == 1)
        #expect(doc.section(containing: "PAGETWO")?.page == 2)
    }

    @Test("pages are joined by a blank line; the page count is metadata; the first line is the title")
    func textTitleAndMetadata() throws {
        let path = Fixture.path("good/doc.pdf")
        let doc = try Fixture.single(try loader.load(try input("good/doc.pdf")))
        #expect(doc.text == "PAGEONE alpha\n\nPAGETWO beta")
        #expect(doc.title == "PAGEONE alpha")
        #expect(doc.metadata["pages"] == .number(2))
        #expect(doc.source == path)
        #expect(doc.path == path)
    }

    @Test("the loader reads the file itself, not decoded text")
    func readsBytes() {
        #expect(loader.readsText == false)
        #expect(PlainTextLoader().readsText == true)
    }

    @Test("a truncated PDF is rejected as malformed, quoting pdftotext")
    func truncated() throws {
        let e = try #require(Fixture.loadError { () throws(LoadError) in try loader.load(try! input("bad/truncated.pdf")) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("not a readable PDF"))
        #expect(e.message.contains("pdftotext"))
    }

    @Test("a missing pdftotext is reported as a missing tool, saying what to install")
    func toolMissing() throws {
        let broken = PDFLoader(executable: "/nonexistent/bin/pdftotext")
        let e = try #require(Fixture.loadError { () throws(LoadError) in try broken.load(try! input("good/doc.pdf")) })
        #expect(e.kind == .toolMissing)
    }
}
