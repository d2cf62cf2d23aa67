import LoreCore
import LoreIngest
import Testing

@Suite("Loader registry")
struct LoaderRegistryTests {
    let registry = LoaderRegistry()

    /// The format of the loader chosen for `fileName` starting with `head`, or the error.
    private func choose(_ fileName: String, _ head: [UInt8] = []) -> Result<DocumentFormat, LoadError> {
        registry.loader(fileName: fileName, head: head[...]).map { $0.format }
    }

    private func choose(_ fileName: String, text: String) -> Result<DocumentFormat, LoadError> {
        choose(fileName, Array(text.utf8))
    }

    @Test(
        "the extension chooses the loader",
        arguments: [
            ("plain.txt", DocumentFormat.text), ("notes.text", .text), ("guide.md", .markdown), ("x.markdown", .markdown),
            ("page.html", .html), ("page.htm", .html), ("page.xhtml", .html), ("doc.pdf", .pdf), ("records.json", .json),
            ("records.jsonl", .jsonl), ("events.ndjson", .jsonl), ("table.csv", .csv), ("sample.py", .code),
            ("sample.go", .code), ("sample.swift", .code), ("deploy.sh", .code), ("schema.sql", .code)
        ])
    func byExtension(_ name: String, _ format: DocumentFormat) throws {
        #expect(try choose(name, text: "plain content").get() == format)
    }

    @Test("every committed good fixture gets the loader its extension names")
    func goodFixtures() throws {
        let expected: [String: DocumentFormat] = [
            "broken.html": .html, "doc.pdf": .pdf, "guide.md": .markdown, "page.html": .html, "plain.txt": .text,
            "records.json": .json, "records.jsonl": .jsonl, "sample.go": .code, "sample.py": .code, "sample.swift": .code,
            "setext.md": .markdown, "single.json": .json, "table.csv": .csv
        ]
        for (name, format) in expected {
            let head = try Fixture.bytes("good/" + name).prefix(1024)
            #expect(try registry.loader(fileName: name, head: head).get().format == format, "\(name)")
        }
    }

    @Test("extensions are matched case-insensitively, on the last dot")
    func extensionCase() throws {
        #expect(try choose("README.MD").get() == .markdown)
        #expect(try choose("Report.Final.PDF", text: "%PDF-1.4").get() == .pdf)
        #expect(try choose("archive.tar.json").get() == .json)
    }

    @Test("%PDF- content is a PDF whatever its extension says")
    func sniffPDFUnderWrongExtension() throws {
        let pdf = try Fixture.bytes("good/doc.pdf")
        #expect(try choose("report.txt", pdf).get() == .pdf)
        #expect(try choose("report.md", pdf).get() == .pdf)
        #expect(try choose("report", pdf).get() == .pdf)
        #expect(try choose("report.xyz", pdf).get() == .pdf)
    }

    @Test(
        "without an extension, HTML and shebang content are recognised",
        arguments: [
            ("<!doctype html>\n<html><body>x</body></html>", DocumentFormat.html),
            ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">", .html),
            ("\n\n   <html lang=\"en\">", .html),
            ("#!/bin/sh\necho hi", .code)
        ])
    func sniffWithoutExtension(_ content: String, _ format: DocumentFormat) throws {
        #expect(try choose("index", text: content).get() == format)
    }

    @Test("a known extension wins over content that merely looks like another format")
    func extensionWinsOverSniffing() throws {
        #expect(try choose("snippet.txt", text: "<!doctype html><p>x</p>").get() == .text)
        #expect(try choose("notes.md", text: "#!/bin/sh").get() == .markdown)
    }

    @Test("an unknown extension is unsupported, naming it")
    func unsupportedExtension() throws {
        let head = try Fixture.bytes("bad/unsupported.xyz")
        guard case .failure(let e) = choose("unsupported.xyz", head) else {
            Issue.record("unsupported.xyz got a loader"); return
        }
        #expect(e.kind == .unsupported)
        #expect(e.message.contains(".xyz"))
    }

    @Test("no extension and unrecognised content is unsupported, saying so")
    func unsupportedWithoutExtension() throws {
        guard case .failure(let e) = choose("LICENSE", text: "Permission is hereby granted") else {
            Issue.record("LICENSE got a loader"); return
        }
        #expect(e.kind == .unsupported)
        #expect(e.message.contains("no extension"))
    }

    @Test("supportedExtensions lists every extension, sorted")
    func supportedExtensions() {
        let exts = LoaderRegistry.supportedExtensions
        #expect(exts == exts.sorted())
        for ext in ["txt", "md", "html", "pdf", "json", "jsonl", "csv", "py", "swift", "go"] { #expect(exts.contains(ext)) }
        #expect(!exts.contains("xyz"))
    }

    // MARK: looksBinary

    @Test("binary content is recognised: NUL bytes or many control bytes")
    func binaryFixture() throws {
        #expect(LoaderRegistry.looksBinary(try Fixture.bytes("bad/binary.txt")))
        #expect(LoaderRegistry.looksBinary(Array("text with a NUL \0 inside".utf8)))
        #expect(LoaderRegistry.looksBinary([UInt8](repeating: 0x01, count: 20) + Array("mostly control".utf8)))
    }

    @Test(
        "text is not binary: tabs, newlines, CR, form feed, ESC, invalid UTF-8 and empty files are fine",
        arguments: [
            "good/plain.txt", "good/page.html", "good/table.csv", "good/sample.go", "bad/invalid-utf8.txt", "bad/empty.txt",
            "bad/whitespace.md"
        ])
    func textFixtures(_ fixture: String) throws {
        #expect(!LoaderRegistry.looksBinary(try Fixture.bytes(fixture)))
    }

    @Test("a few control bytes in a lot of text do not make it binary; only the first 8 KB are looked at")
    func controlThreshold() {
        let text = Array(String(repeating: "ordinary text ", count: 20).utf8)
        #expect(!LoaderRegistry.looksBinary(text + [0x01, 0x02] + Array("\t\r\n\u{0C}\u{1B}[0m".utf8)))
        #expect(!LoaderRegistry.looksBinary([UInt8](repeating: 0x61, count: 8192) + [0, 0, 0]))
    }
}
