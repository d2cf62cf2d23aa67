import LoreCore
import LoreIngest
import Testing

@Suite("HTML loader")
struct HTMLLoaderTests {
    let loader = HTMLLoader()

    private func load(_ html: String, name: String = "page.html") throws -> Document {
        try Fixture.single(try loader.load(Fixture.inline(html, name: name)))
    }

    private func page() throws -> Document {
        try Fixture.single(try loader.load(try Fixture.input("good/page.html")))
    }

    @Test("the <title> is the title")
    func title() throws {
        let doc = try page()
        #expect(doc.format == .html)
        #expect(doc.title == "Fixture Page")
        #expect(!doc.text.contains("Fixture Page"))
    }

    @Test(
        "script, style, nav and footer content is dropped",
        arguments: ["SCRIPTTEXT", "STYLETEXT", "NAVLINK", "FOOTERTEXT", "console.log", "color: #333"])
    func droppedElements(_ marker: String) throws {
        #expect(try !page().text.contains(marker))
    }

    @Test("body text is kept, without tags")
    func bodyText() throws {
        let doc = try page()
        #expect(doc.text.contains("First paragraph with FIRSTPARA words."))
        #expect(doc.text.contains("SECONDPARA text in the second section."))
        #expect(!doc.text.contains("<p"))
        #expect(!doc.text.contains("</"))
        #expect(!doc.text.contains("href"))
    }

    @Test("entities are decoded")
    func entities() throws {
        let doc = try page()
        #expect(
            doc.text.contains("Entities: Tom & Jerry, 1 < 2, 3 > 2, \"quoted\", it's, smile ☺, dash — here, non\u{A0}breaking, © 2024."))
        #expect(!doc.text.contains("&amp;"))
    }

    @Test("pre blocks keep their line breaks and indentation")
    func preformatted() throws {
        #expect(try page().text.contains("PRELINE one\n    PRELINE two indented"))
    }

    @Test("a line break right after <pre> is not content; the rest of the block is kept as written")
    func preLeadingNewline() throws {
        #expect(try load("<p>Code:</p><pre>\nlet x = 1\n  y()\n</pre><p>after</p>").text == "Code:\n\nlet x = 1\n  y()\n\nafter")
        #expect(try load("<pre><code>\nfirst</code></pre>").text == "first")
    }

    @Test("h1–h6 start sections that carry the heading path")
    func headingSections() throws {
        let doc = try page()
        #expect(doc.headingPaths == [["Fixture Heading"], ["Fixture Heading", "Second Section"]])
        #expect(doc.sectionsPartitionText)
        #expect(doc.section(containing: "FIRSTPARA")?.headingPath == ["Fixture Heading"])
        #expect(doc.section(containing: "SECONDPARA")?.headingPath == ["Fixture Heading", "Second Section"])
        #expect(doc.section(containing: "PRELINE two")?.headingPath == ["Fixture Heading", "Second Section"])
        #expect(doc.text(of: doc.sections[1]).hasPrefix("Second Section\n\n"))
    }

    @Test("block elements become paragraph breaks, inline ones do not break the text")
    func blockStructure() throws {
        let doc = try page()
        #expect(doc.text.hasPrefix("Fixture Heading\n\nFirst paragraph"))
        let doc2 = try load("<p>one <b>bold</b> <i>it</i>alic</p><p>two</p><div>three<br>four</div><ul><li>a</li><li>b</li></ul>")
        #expect(doc2.text == "one bold italic\n\ntwo\n\nthree\nfour\n\na\nb")
    }

    @Test("whitespace outside pre collapses to single spaces")
    func whitespace() throws {
        #expect(try load("<p>  lots \n\n of \t  space  </p>").text == "lots of space")
    }

    @Test("table cells are separated by |, rows by line breaks")
    func tables() throws {
        let doc = try load("<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>41</td></tr></table>")
        #expect(doc.text == "Name | Age\nAnn | 41")
    }

    @Test("a deeper heading nests under the open one; a shallower one closes it")
    func headingStack() throws {
        let doc = try load("<h1>A</h1><p>a</p><h2>B</h2><p>b</p><h3>C</h3><p>c</p><h2>D</h2><p>d</p><h1>E</h1><p>e</p>")
        #expect(doc.headingPaths == [["A"], ["A", "B"], ["A", "B", "C"], ["A", "D"], ["E"]])
        #expect(doc.section(containing: "d")?.headingPath == ["A", "D"])
        #expect(doc.title == "A")  // no <title>: the first heading
    }

    @Test("markup inside a heading is flattened into its title")
    func headingMarkup() throws {
        let doc = try load("<h2>Using <code>lore</code> &amp; friends</h2><p>x</p>")
        #expect(doc.headingPaths == [["Using lore & friends"]])
    }

    @Test("comments, doctype, processing instructions and CDATA leave no text")
    func markupWithoutText() throws {
        let doc = try load("<!DOCTYPE html><?xml version=\"1.0\"?><p>a<!-- COMMENT <p>x</p> -->b<![CDATA[ CDATA ]]>c</p>")
        #expect(doc.text == "abc")
    }

    @Test("nested skipped elements are dropped whole")
    func nestedSkipped() throws {
        let doc = try load("<nav><nav>INNER</nav>OUTER</nav><p>kept</p><footer>F<footer>G</footer>H</footer><p>tail</p>")
        #expect(doc.text == "kept\n\ntail")
    }

    @Test("tag names are case-insensitive")
    func caseInsensitive() throws {
        let doc = try load("<HTML><HEAD><TITLE>Upper</TITLE><SCRIPT>var HIDDEN;</SCRIPT></HEAD><BODY><H1>Top</H1><P>Body</P></BODY></HTML>")
        #expect(doc.title == "Upper")
        #expect(doc.text == "Top\n\nBody")
        #expect(doc.headingPaths == [["Top"]])
    }

    @Test(
        "character references: numeric, hex, named, Windows-1252, unknown and bare",
        arguments: [
            ("&#65;&#x42;&#X43;", "ABC"),
            ("caf&eacute; &euro;5 &hellip;", "café €5 …"),
            ("&#150; &#x93;quoted&#x94;", "– “quoted”"),
            ("&bogus; &amp &lt;tag&gt;", "&bogus; & <tag>"),
            ("AT&T &#0; &#xD800;", "AT&T \u{FFFD} \u{FFFD}")
        ])
    func characterReferences(_ html: String, _ text: String) throws {
        #expect(try load("<p>\(html)</p>").text == text)
    }

    @Test("without a title or heading, the title is the file name")
    func titleFallback() throws {
        #expect(try load("<p>just text</p>", name: "fallback-page.html").title == "fallback-page")
    }

    @Test("broken markup still yields its text and structure")
    func brokenMarkup() throws {
        let doc = try Fixture.single(try loader.load(try Fixture.input("good/broken.html")))
        #expect(doc.title == "Broken Fixture")
        for marker in [
            "BROKENTEXT first paragraph", "Second paragraph with bold nested mismatched tags.",
            "BROKENITEM one\nBROKENITEM two", "BROKENTAIL final words.", "link text after a bad attribute quote"
        ] {
            #expect(doc.text.contains(marker), "missing \(marker)")
        }
        #expect(doc.headingPaths == [["Broken Heading"]])
        #expect(!doc.text.contains("<"))
        #expect(!doc.text.contains("href"))
    }

    @Test("an unclosed heading ends at the next block element")
    func unclosedHeading() throws {
        let doc = try load("<h1>Heading<p>Paragraph text.</p><p>More.</p>")
        #expect(doc.headingPaths == [["Heading"]])
        #expect(doc.title == "Heading")
        #expect(doc.text == "Heading\n\nParagraph text.\n\nMore.")
    }

    @Test("unterminated comments and raw-text elements end the document without a crash")
    func unterminated() throws {
        #expect(try load("<p>before</p><!-- never closed <p>after</p>").text == "before")
        #expect(try load("<p>before</p><script>var x = '<p>after</p>").text == "before")
        #expect(try load("<p>a < b and c<</p>").text == "a < b and c<")
        #expect(try load("").text == "")
    }
}
