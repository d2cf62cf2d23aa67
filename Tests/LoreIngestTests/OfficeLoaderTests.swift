import Foundation
import LoreCore
import LoreTestSupport
import Testing
import ZIPFoundation

@testable import LoreIngest

/// The Office Open XML, OpenDocument and EPUB loaders on real files: Word, PowerPoint, Excel,
/// OpenDocument and EPUB files written by LibreOffice and by python-docx, python-pptx and
/// openpyxl from pages of Debian's SQLite
/// documentation (scripts/make-document-fixtures). What each file must yield (headings and
/// their levels, sentences, table cells, slides and their notes, sheets and formula values)
/// is read from the generator's manifest, which took it from the generator's inputs.
@Suite("Office loaders: DOCX, PPTX, XLSX, ODT, ODP, ODS, EPUB")
struct OfficeLoaderTests {
    /// The manifest's `fixtures` (read for each use: a parsed JSON tree is not Sendable).
    static var manifest: [String: [String: Any]] {
        let data = FileManager.default.contents(atPath: TestPaths.documentFixtures + "/manifest.json")!
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return root["fixtures"] as! [String: [String: Any]]
    }

    static func expect(_ name: String) -> [String: Any] { manifest[name]!["expect"] as! [String: Any] }

    /// Loads a fixture the way the ingestor does: the loader the registry picks for its name.
    static func load(_ name: String) throws(LoadError) -> [Document] {
        let path = TestPaths.documentFixtures + "/" + name
        let data = [UInt8](FileManager.default.contents(atPath: path)!)
        let loader = try LoaderRegistry().loader(fileName: name, head: data.prefix(1024)).get()
        return try loader.load(LoaderInput(path: path, data: data, text: "", options: LoadOptions()))
    }

    static func document(_ name: String) throws -> Document {
        let docs = try load(name)
        try #require(docs.count == 1)
        #expect(docs[0].format.rawValue == name.split(separator: ".").last.map(String.init), "\(name)")
        return docs[0]
    }

    /// Whitespace runs (non-breaking spaces and line breaks included) as one space, as the
    /// manifest writes its texts.
    static func collapsed(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace || $0 == "\u{00A0}" }).joined(separator: " ")
    }

    /// The cells of the Markdown table lines of `text`, unescaped and collapsed.
    static func tableCells(_ text: String) -> Set<String> {
        var cells: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let inner = line.dropFirst(2).dropLast(2)
            for cell in inner.replacingOccurrences(of: "\\|", with: "\u{0}").components(separatedBy: " | ") {
                cells.insert(collapsed(cell.replacingOccurrences(of: "\u{0}", with: "|")))
            }
        }
        return cells
    }

    /// The header rows (the line above a `| --- |` line) of the Markdown tables of `text`.
    static func tableHeaders(_ text: String) -> [[String]] {
        let lines = text.split(separator: "\n").map(String.init)
        return lines.indices.dropFirst().filter { lines[$0].hasPrefix("| --- |") || lines[$0].hasPrefix("|---") }.map { i in
            lines[i - 1].dropFirst(2).dropLast(2).components(separatedBy: " | ").map(collapsed)
        }
    }

    static func string(_ v: Any?) -> String {
        switch v {
        case let s as String: s
        case let n as NSNumber: n.doubleValue == n.doubleValue.rounded() ? String(Int(n.doubleValue)) : "\(n.doubleValue)"
        default: ""
        }
    }

    // MARK: Word

    @Test(
        "DOCX from LibreOffice and from python-docx: heading styles make the heading path at their levels, in order; sentences and the title survive",
        arguments: ["sqlite-datatypes.docx", "python-docx.docx", "sqlite-datatypes.odt"])
    func wordHeadings(name: String) throws {
        let doc = try Self.document(name)
        let expect = Self.expect(name)
        #expect(doc.title == expect["title"] as? String)
        #expect(doc.sectionsPartitionText)
        // Each section's innermost heading, without repeats: the expected headings in order.
        var seen: [String] = []
        for s in doc.sections where s.headingPath.last != seen.last {
            if let h = s.headingPath.last { seen.append(h) }
        }
        let headings = expect["headings"] as! [[String: Any]]
        #expect(seen == headings.map { Self.collapsed($0["text"] as! String) })
        for h in headings {
            let level = h["level"] as! Int, text = Self.collapsed(h["text"] as! String)
            let section = try #require(doc.sections.first { $0.headingPath.last == text })
            if level > 0 { #expect(section.headingPath.count == level, "\(section.headingPath)") }
        }
        let text = Self.collapsed(doc.text)
        for sentence in expect["sentences"] as! [String] { #expect(text.contains(Self.collapsed(sentence)), "\(sentence)") }
    }

    @Test(
        "DOCX tables become Markdown tables: the header row, then the body cells", arguments: ["sqlite-datatypes.docx", "python-docx.docx"])
    func wordTables(name: String) throws {
        let doc = try Self.document(name)
        let tables = Self.expect(name)["tables"] as! [[String: Any]]
        try #require(!tables.isEmpty)
        let headers = Self.tableHeaders(doc.text)
        let cells = Self.tableCells(doc.text)
        for t in tables {
            #expect(headers.contains((t["header"] as! [String]).map(Self.collapsed)), "\(t["header"]!) not among \(headers)")
            for c in t["body_cells"] as! [[String: Any]] { #expect(cells.contains(Self.collapsed(c["text"] as! String)), "\(c)") }
        }
    }

    @Test("python-docx lists keep their bullets and numbers, one item a line; comments are left out")
    func wordLists() throws {
        let doc = try Self.document("python-docx.docx")
        let expect = Self.expect("python-docx.docx")
        let lines = doc.text.split(separator: "\n").map { Self.collapsed(String($0)) }
        for item in expect["bulleted_items"] as! [String] { #expect(lines.contains("- " + Self.collapsed(item)), "\(item)") }
        for (i, item) in (expect["numbered_items"] as! [String]).enumerated() {
            #expect(lines.contains("\(i + 1). " + Self.collapsed(item)), "\(item)")
        }
        for c in expect["comments"] as? [[String: Any]] ?? [] {
            #expect(!Self.collapsed(doc.text).contains(Self.collapsed(c["text"] as! String)), "a comment was kept")
        }
    }

    // MARK: PowerPoint

    @Test(
        "PPTX from python-pptx and from LibreOffice: a section per slide, its page the slide number, its heading the title, with the body, tables and speaker notes",
        arguments: ["sqlite-slides.pptx", "libreoffice-slides.pptx", "sqlite-slides.odp"])
    func slides(name: String) throws {
        let doc = try Self.document(name)
        let expect = Self.expect(name)
        #expect(doc.title == expect["title"] as? String)
        #expect(doc.sectionsPartitionText)
        let slides = expect["slides"] as! [[String: Any]]
        #expect(doc.metadata["slides"] == .number(Double(slides.count)))
        #expect(doc.sections.map(\.page) == slides.map { $0["number"] as? Int })
        for slide in slides {
            let number = slide["number"] as! Int
            let section = try #require(doc.sections.first { $0.page == number })
            #expect(section.headingPath == ["Slide \(number): \(Self.collapsed(slide["title"] as! String))"])
            let text = Self.collapsed(doc.text(of: section))
            if let line = slide["body_line"] as? String { #expect(text.contains(Self.collapsed(line)), "slide \(number)") }
            #expect(text.contains("Notes: " + Self.collapsed(slide["notes"] as! String)), "slide \(number): \(text)")
            if let table = slide["table"] as? [String: Any] {
                #expect(Self.tableHeaders(doc.text(of: section)).contains((table["header"] as! [String]).map(Self.collapsed)))
                let cells = Self.tableCells(doc.text(of: section))
                for c in table["body_cells"] as! [[String: Any]] { #expect(cells.contains(Self.collapsed(c["text"] as! String)), "\(c)") }
            }
        }
    }

    // MARK: Excel

    @Test(
        "XLSX: sheets in order, each section a table under its sheet with the header repeated; shared strings, numbers and the cached values of formulas",
        arguments: ["sqlite-tables.xlsx", "openpyxl-formulas.xlsx", "sqlite-tables.ods"])
    func sheets(name: String) throws {
        let doc = try Self.document(name)
        let expect = Self.expect(name)
        let sheets = expect["sheets"] as! [[String: Any]]
        #expect(doc.metadata["sheets"] == .array(sheets.map { .string($0["name"] as! String) }))
        #expect(doc.sectionsPartitionText)
        for sheet in sheets {
            let sheetName = sheet["name"] as! String
            let sections = doc.sections.filter { $0.headingPath == [sheetName] }
            try #require(!sections.isEmpty, "no section for sheet \(sheetName)")
            let header = (sheet["header"] as! [String]).map(Self.collapsed)
            for s in sections { #expect(Self.tableHeaders(doc.text(of: s)).first == header, "sheet \(sheetName)") }
            let cells = sections.reduce(into: Set<String>()) { $0.formUnion(Self.tableCells(doc.text(of: $1))) }
            for c in sheet["body_cells"] as! [[String: Any]] { #expect(cells.contains(Self.collapsed(Self.string(c["value"]))), "\(c)") }
            // Every row is there once: body rows = the sheet's rows less the header.
            let bodyRows = sections.map { doc.text(of: $0).split(separator: "\n").count - 2 }.reduce(0, +)
            #expect(bodyRows == (sheet["rows"] as! Int) - 1, "sheet \(sheetName)")
        }
        if expect["cached_values"] as? Bool != false {
            for f in expect["formulas"] as! [[String: Any]] {
                let row = "| " + Self.collapsed(f["label"] as! String) + " | " + Self.string(f["value"]) + " |"
                #expect(doc.text.contains(row), "formula \(f["formula"]!): \(row)")
            }
        }
    }

    @Test(
        "EPUB from LibreOffice: the chapters in spine order under their table-of-contents titles; sentences and table cells survive"
    )
    func epub() throws {
        let name = "sqlite-datatypes.epub"
        let doc = try Self.document(name)
        let expect = Self.expect(name)
        #expect(doc.title == expect["title"] as? String)
        #expect(doc.sectionsPartitionText)
        var roots: [String] = []
        for s in doc.sections where s.headingPath.first != roots.last { if let r = s.headingPath.first { roots.append(r) } }
        #expect(roots == (expect["toc"] as! [String]).map(Self.collapsed))
        #expect(roots.count == expect["spine_sections"] as? Int)
        let text = Self.collapsed(doc.text)
        for sentence in expect["sentences"] as! [String] { #expect(text.contains(Self.collapsed(sentence)), "\(sentence)") }
        for t in expect["tables"] as! [[String: Any]] {
            for c in t["body_cells"] as! [[String: Any]] { #expect(text.contains(Self.collapsed(c["text"] as! String)), "\(c)") }
        }
    }

    @Test("a sheet of long rows is cut into sections of about 700 characters (one row at least), the header repeated in each")
    func longRowsAreCut() throws {
        let doc = try Self.document("sqlite-tables.xlsx")
        let sheet = doc.sections.filter { $0.headingPath == ["Substitution Types"] }
        #expect(sheet.count > 1)
        for s in sheet {
            let lines = doc.text(of: s).trimmingCharacters(in: .newlines).split(separator: "\n")
            let rows = [lines[0]] + lines.dropFirst(2)
            let cells = rows.map { $0.dropFirst(2).dropLast(2).components(separatedBy: " | ").map(\.count).reduce(0, +) }.reduce(0, +)
            #expect(lines.count == 3 || cells <= 700, "\(lines.count - 2) rows of \(cells) characters")
        }
    }

    @Test("a sheet with a million rows refuses the file at the row limit, naming the sheet, without reading the rest")
    func millionRows() throws {
        let dir = TemporaryDirectory("lore-xlsx")
        let path = dir.path + "/huge.xlsx"
        try Self.writeWorkbook(path, sheet: "Measurements", rows: 1_000_000)
        let data = [UInt8](FileManager.default.contents(atPath: path)!)
        let e = try #require(
            Fixture.loadError { () throws(LoadError) in
                try XLSXLoader().load(LoaderInput(path: path, data: data, text: "", options: LoadOptions()))
            })
        #expect(e.kind == .tooLarge)
        #expect(e.message.contains(#"sheet "Measurements" has more than 100000 rows"#), "\(e.message)")
        // The same workbook with few rows loads.
        try Self.writeWorkbook(dir.path + "/small.xlsx", sheet: "Measurements", rows: 3)
        let small = [UInt8](FileManager.default.contents(atPath: dir.path + "/small.xlsx")!)
        let doc = try Fixture.single(try XLSXLoader().load(LoaderInput(path: "small.xlsx", data: small, text: "", options: LoadOptions())))
        #expect(doc.text.contains("| 2 | 4 |"), "\(doc.text)")
    }

    /// A minimal workbook of one sheet of `rows` rows (`| n | 2n |` under a header), written
    /// with ZIPFoundation, its sheet part streamed in pieces.
    static func writeWorkbook(_ path: String, sheet: String, rows: Int) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        func add(_ name: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
                data.subdata(in: Int(pos)..<Int(pos) + size)
            }
        }
        let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        try add(
            "xl/workbook.xml",
            #"<?xml version="1.0"?><workbook xmlns="\#(ns)" xmlns:r="\#(rel)"><sheets><sheet name="\#(sheet)" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        )
        try add(
            "xl/_rels/workbook.xml.rels",
            #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(rel)/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
        )
        var sheetXML = #"<?xml version="1.0"?><worksheet xmlns="\#(ns)"><sheetData>"#
        sheetXML += #"<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c><c r="B1" t="inlineStr"><is><t>double</t></is></c></row>"#
        for r in 1...rows {
            sheetXML += #"<row r="\#(r + 1)"><c r="A\#(r + 1)"><v>\#(r)</v></c><c r="B\#(r + 1)"><v>\#(2 * r)</v></c></row>"#
        }
        sheetXML += "</sheetData></worksheet>"
        try add("xl/worksheets/sheet1.xml", sheetXML)
    }

    // MARK: Bad input

    @Test(
        "bad Office files are refused with one clear reason: encrypted, a ZIP bomb, malformed XML, an external entity, not a ZIP",
        arguments: [
            ("bad/encrypted.docx", LoadError.Kind.encrypted, "password-protected"),
            ("bad/encrypted.xlsx", .encrypted, "password-protected"),
            ("bad/zip-bomb.docx", .tooLarge, "ZIP bomb"),
            ("bad/malformed.docx", .malformed, "malformed XML in word/document.xml"),
            ("bad/xxe.docx", .malformed, "declares a document type"),
            ("bad/not-a-zip.pptx", .malformed, "not a PPTX file")
        ])
    func badInput(name: String, kind: LoadError.Kind, phrase: String) throws {
        let e = try #require(Fixture.loadError { () throws(LoadError) in try Self.load(name) })
        #expect(e.kind == kind, "\(e)")
        #expect(e.message.contains(phrase), "\(e.message)")
        if name.hasSuffix("xxe.docx") {
            let secret = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingWhitespaceForTest ?? ""
            #expect(secret.isEmpty || !e.message.contains(secret))
        }
    }

    @Test(
        "parts are measured as they inflate, whatever the archive declares: past the ratio limit a part is refused as a ZIP bomb, past the size limit as too large"
    )
    func inflationIsCounted() throws {
        let path = TestPaths.documentFixtures + "/sqlite-datatypes.docx"
        let data = [UInt8](FileManager.default.contents(atPath: path)!)
        let input = LoaderInput(path: path, data: data, text: "", options: LoadOptions())
        // word/document.xml of this file inflates about 10 times: over a ratio of 3, counted from 16 KiB.
        var tight = ZipPackage.Limits()
        tight.ratio = 3
        tight.ratioFloor = 16 << 10
        let e = try #require(Fixture.loadError { () throws(LoadError) in try DOCXLoader(limits: tight).load(input) })
        #expect(e.kind == .tooLarge && e.message.contains("expands more than 3 times its stored size"), "\(e.message)")
        var small = ZipPackage.Limits()
        small.totalBytes = 32 << 10
        let f = try #require(Fixture.loadError { () throws(LoadError) in try DOCXLoader(limits: small).load(input) })
        #expect(f.kind == .tooLarge, "\(f.message)")
        #expect(try DOCXLoader().load(input).count == 1)
    }

    @Test("the registry picks the Office loaders by extension, and sniffing a ZIP alone picks none")
    func registry() throws {
        let r = LoaderRegistry()
        #expect(try r.loader(fileName: "a.docx", head: []).get().format == .docx)
        #expect(try r.loader(fileName: "a.PPTX", head: []).get().format == .pptx)
        #expect(try r.loader(fileName: "a.xlsx", head: []).get().format == .xlsx)
        for ext in ["odt", "ods", "odp", "epub"] { #expect(try r.loader(fileName: "a." + ext, head: []).get().format.rawValue == ext) }
        #expect((try? r.loader(fileName: "archive", head: [0x50, 0x4B, 0x03, 0x04]).get()) == nil)
    }
}

extension String {
    fileprivate var trimmingWhitespaceForTest: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
