import LoreCore
import LoreIngest
import Testing

@Suite("Markdown loader")
struct MarkdownLoaderTests {
    let loader = MarkdownLoader()

    private func load(_ text: String, name: String = "note.md") throws -> Document {
        try Fixture.single(try loader.load(Fixture.inline(text, name: name)))
    }

    @Test("ATX headings cut the text into sections that carry the heading path")
    func atxSections() throws {
        let input = try Fixture.input("good/guide.md")
        let doc = try Fixture.single(try loader.load(input))
        #expect(doc.format == .markdown)
        #expect(doc.title == "Limits")
        #expect(doc.text == input.text)
        #expect(
            doc.headingPaths == [
                ["Limits"],
                ["Limits", "Maximum length of a string"],
                ["Limits", "Maximum number of columns"],
                ["Limits", "Maximum number of columns", "Notes"]
            ])
        #expect(doc.sectionsPartitionText)
        #expect(doc.section(containing: "LIMITSINTRO")?.headingPath == ["Limits"])
        #expect(doc.section(containing: "STRINGLIMIT")?.headingPath == ["Limits", "Maximum length of a string"])
        #expect(doc.section(containing: "COLUMNLIMIT")?.headingPath == ["Limits", "Maximum number of columns"])
        #expect(doc.section(containing: "NOTESTEXT")?.headingPath == ["Limits", "Maximum number of columns", "Notes"])
    }

    @Test("a heading's own line starts its section")
    func headingLineInSection() throws {
        let doc = try Fixture.single(try loader.load(try Fixture.input("good/guide.md")))
        #expect(doc.text(of: doc.sections[1]).hasPrefix("## Maximum length of a string\n"))
        #expect(doc.text(of: doc.sections[3]).hasPrefix("### Notes\n"))
    }

    @Test("a '#' line inside a fenced code block is not a heading")
    func fencedCodeIsNotAHeading() throws {
        let doc = try Fixture.single(try loader.load(try Fixture.input("good/guide.md")))
        let fence = try #require(doc.section(containing: "# not a heading"))
        #expect(fence.headingPath == ["Limits", "Maximum number of columns"])
        #expect(doc.section(containing: "CODEFENCE") == fence)
        #expect(!doc.headingPaths.joined().contains { $0.contains("not a heading") })
    }

    @Test("setext headings (=== and ---) cut sections too")
    func setextSections() throws {
        let doc = try Fixture.single(try loader.load(try Fixture.input("good/setext.md")))
        #expect(doc.title == "Setext Title")
        #expect(doc.headingPaths == [["Setext Title"], ["Setext Title", "Setext Subsection"], ["Setext Title", "Another Subsection"]])
        #expect(doc.section(containing: "SETEXTINTRO")?.headingPath == ["Setext Title"])
        #expect(doc.section(containing: "SETEXTBODY")?.headingPath == ["Setext Title", "Setext Subsection"])
        #expect(doc.section(containing: "SETEXTMORE")?.headingPath == ["Setext Title", "Another Subsection"])
        #expect(doc.sectionsPartitionText)
    }

    @Test("text before the first heading is a section without a heading path")
    func preamble() throws {
        let doc = try load("Intro text.\n\n## Part\n\nBody.\n")
        #expect(doc.headingPaths == [[], ["Part"]])
        #expect(doc.text(of: doc.sections[0]) == "Intro text.\n\n")
        #expect(doc.title == "Part")  // no level-one heading: the first heading
    }

    @Test("a shallower heading closes the deeper ones")
    func headingStack() throws {
        let doc = try load("# A\n## B\n### C\n## D\ntext\n# E\n#### F\n")
        #expect(doc.headingPaths == [["A"], ["A", "B"], ["A", "B", "C"], ["A", "D"], ["E"], ["E", "F"]])
        #expect(doc.sectionsPartitionText)
    }

    @Test("an empty heading closes deeper headings but adds no name to the path")
    func emptyHeading() throws {
        let doc = try load("# A\n## B\nb\n##\nafter\n")
        #expect(doc.headingPaths == [["A"], ["A", "B"], ["A"]])
        #expect(doc.section(containing: "after")?.headingPath == ["A"])
    }

    @Test(
        "what is and is not an ATX heading",
        arguments: [
            ("# Title ##\nx", ["Title"]),
            ("#   Spaced   \nx", ["Spaced"]),
            ("   ### Indented three\nx", ["Indented three"]),
            ("#hashtag\nx", []),
            ("####### seven\nx", []),
            ("    # indented code\nx", []),
            ("~~~\n# in tilde fence\n~~~\n# After\nx", ["After"]),
            ("```swift\n# in fence\n```\nx", [])
        ])
    func atxRules(_ text: String, _ headings: [String]) throws {
        let doc = try load(text)
        #expect(Array(doc.headingPaths.joined()).uniqued() == headings)
    }

    @Test("list items and quotes followed by --- are not setext headings")
    func notSetext() throws {
        #expect(try load("- item\n---\nx").headingPaths == [[]])
        #expect(try load("> quote\n---\nx").headingPaths == [[]])
        #expect(try load("\n---\nx").headingPaths == [[]])
    }

    @Test("front matter becomes metadata, its title the title, and is not part of the text")
    func frontMatter() throws {
        let doc = try load("---\ntitle: \"Front Title\"\nauthor: 'Ann Example'\ntags: a, b\n---\n# Heading\n\nBody FRONTBODY.\n")
        #expect(doc.title == "Front Title")
        #expect(doc.metadata["author"] == .string("Ann Example"))
        #expect(doc.metadata["tags"] == .string("a, b"))
        #expect(doc.text == "# Heading\n\nBody FRONTBODY.\n")
        #expect(doc.headingPaths == [["Heading"]])
        #expect(doc.sectionsPartitionText)
    }

    @Test("a leading --- that is not front matter stays in the text")
    func thematicBreakIsNotFrontMatter() throws {
        let text = "---\nJust a rule, no key-value pairs.\n---\nmore\n"
        let doc = try load(text, name: "rule.md")
        #expect(doc.text == text)
        #expect(doc.metadata.isEmpty)
    }

    @Test("without headings or front matter, the title is the file name")
    func titleFallback() throws {
        let doc = try load("plain words only\n", name: "untitled-notes.md")
        #expect(doc.title == "untitled-notes")
        #expect(doc.sections == [Section(range: 0..<17)])
    }

    @Test("CRLF line ends: headings and front matter are still found")
    func crlf() throws {
        let doc = try load("---\r\ntitle: Windows\r\n---\r\n# Top\r\n\r\nText.\r\n## Sub\r\nMore.\r\n")
        #expect(doc.title == "Windows")
        #expect(doc.headingPaths == [["Top"], ["Top", "Sub"]])
        #expect(doc.sectionsPartitionText)
    }

    @Test("a byte order mark does not hide the first heading")
    func byteOrderMark() throws {
        let doc = try load("\u{FEFF}# Marked\n\nBody.\n")
        #expect(doc.title == "Marked")
        #expect(doc.headingPaths == [["Marked"]])
    }
}

extension Array where Element: Hashable {
    /// The elements without repeats, in first-seen order.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
