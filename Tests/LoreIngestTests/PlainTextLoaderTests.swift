import LoreCore
import LoreIngest
import Testing

@Suite("Plain text loader")
struct PlainTextLoaderTests {
    let loader = PlainTextLoader()

    @Test("a .txt file is one document holding the file's text in one untitled section")
    func fixture() throws {
        let input = try Fixture.input("good/plain.txt")
        let doc = try Fixture.single(try loader.load(input))
        #expect(doc.format == .text)
        #expect(doc.source == input.path)
        #expect(doc.path == input.path)
        #expect(doc.text == input.text)
        #expect(doc.sections == [Section(headingPath: [], range: 0..<input.text.utf8.count)])
        #expect(doc.metadata.isEmpty)
    }

    @Test("a short first line set apart by a blank line is the title")
    func titleFromFirstLine() throws {
        let doc = try Fixture.single(try loader.load(try Fixture.input("good/plain.txt")))
        #expect(doc.title == "PLAINTEXT fixture for the text loader.")
    }

    @Test("unicode text survives unchanged")
    func unicode() throws {
        let doc = try Fixture.single(try loader.load(try Fixture.input("good/plain.txt")))
        #expect(doc.text.contains("café, naïve, 日本語, emoji ☺."))
    }

    @Test(
        "without a title line, the title is the file name without its extension",
        arguments: [
            "First line\nsecond line right after it\n",  // no blank line after the first
            String(repeating: "long ", count: 30) + "\n\nbody",  // first line over 100 characters
            "\n\nstarts with blank lines",  // empty first line
            "",  // empty file
            "only one line"  // nothing after it
        ])
    func titleFallsBackToStem(_ text: String) throws {
        let doc = try Fixture.single(try loader.load(Fixture.inline(text, name: "notes.v2.txt")))
        #expect(doc.title == "notes.v2")
        #expect(doc.text == text)
    }

    @Test("the title line is trimmed, and CRLF line ends are understood")
    func titleTrimmedAndCRLF() throws {
        #expect(try loader.load(Fixture.inline("  Spaced Title \t\n\nBody")).first?.title == "Spaced Title")
        #expect(try loader.load(Fixture.inline("Windows Title\r\n\r\nBody text.\r\n")).first?.title == "Windows Title")
        #expect(try loader.load(Fixture.inline("Not a title\r\nnext line\r\n", name: "crlf.txt")).first?.title == "crlf")
    }

    @Test("a leading byte order mark is not part of the text")
    func byteOrderMark() throws {
        let doc = try Fixture.single(try loader.load(Fixture.inline("\u{FEFF}BOM Title\n\nBody")))
        #expect(doc.title == "BOM Title")
        #expect(doc.text == "BOM Title\n\nBody")
    }
}
