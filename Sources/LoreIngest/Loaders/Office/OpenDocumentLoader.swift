import Foundation
import LoreCore

/// OpenDocument files (LibreOffice's own): `.odt` text, `.ods` spreadsheets and `.odp`
/// presentations, read from their `content.xml` as the Office Open XML loaders read theirs:
/// text headings (`text:h` and its outline level) make the heading path; lists keep their
/// items; tables become Markdown tables; a spreadsheet's sheets are tables under their
/// names, cut into sections with the header repeated; a presentation has a section per
/// slide, its number the page, with its notes. Comments (`office:annotation`) are left out;
/// notes (footnotes) follow the body. An encrypted package (a password set in LibreOffice)
/// is refused by name.
public struct OpenDocumentLoader: DocumentLoader {
    public let format: DocumentFormat
    public var readsText: Bool { false }
    /// Spreadsheets: rows per section and characters per section (as `XLSXLoader`).
    public var rowsPerSection = 40
    public var charactersPerSection = 700
    /// Spreadsheets: the most rows a sheet may have.
    public var maxRows = 100_000
    var limits = ZipPackage.Limits.standard

    /// A loader for `.odt`, `.ods` or `.odp`.
    public init(_ format: DocumentFormat) {
        precondition([.odt, .ods, .odp].contains(format), "not an OpenDocument format: \(format)")
        self.format = format
    }

    var name: String { format.rawValue.uppercased() }

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        var package = try ZipPackage(input.data, file: name, limits: limits)
        if let manifest = try package.xml("META-INF/manifest.xml"), manifest.descendant("encryption-data") != nil {
            throw LoadError(.encrypted, "password-protected (encrypted) \(name) file: remove the password in LibreOffice and save it again")
        }
        guard let content = try package.xml("content.xml"), let body = content.first("body") else {
            throw LoadError(.malformed, "not an OpenDocument file (no content.xml body)")
        }
        let meta = try package.xml("meta.xml")
        let metaTitle = meta?.descendant("title")?.text.collapsingWhitespace()
        var out = OutlineBuilder()
        var metadata: [String: JSONValue] = [:]
        if let creator = meta?.descendant("initial-creator")?.text ?? meta?.descendant("creator")?.text, !creator.isEmpty {
            metadata["author"] = .string(creator)
        }
        var firstHeading: String?
        switch format {
        case .odt:
            let text = body.first("text") ?? body
            var notes: [String] = []
            ODFText.blocks(text.elements, into: &out, notes: &notes, firstHeading: &firstHeading)
            if !notes.isEmpty {
                out.heading("Notes", level: 1)
                notes.forEach { out.item($0) }
            }
        case .ods:
            var names: [String] = []
            for table in (body.first("spreadsheet") ?? body).all("table") {
                let sheet = table["name"] ?? "Sheet \(names.count + 1)"
                let rows = try ODFText.rows(of: table, maxRows: maxRows, sheet: sheet)
                names.append(sheet)
                XLSXLoader.write(rows, sheet: sheet, rowsPerSection: rowsPerSection, characters: charactersPerSection, into: &out)
            }
            metadata["sheets"] = .array(names.map { .string($0) })
        default:
            var number = 0, slides = 0
            for page in (body.first("presentation") ?? body).all("page") {
                number += 1
                if page["visibility"] == "hidden" { continue }
                slides += 1
                let frames = page.elements
                let title = frames.first { $0["class"] == "title" }.map { ODFText.inline($0).collapsingWhitespace() }
                let heading = title.flatMap { $0.isEmpty ? nil : $0 }
                out.page(number, path: [heading.map { "Slide \(number): \($0)" } ?? "Slide \(number)"])
                if let heading { out.paragraph(heading) }
                var ignored: [String] = []
                var none: String?
                for frame in frames where frame.name != "notes" {
                    if let c = frame["class"], ["title", "page-number", "footer", "header", "date-time"].contains(c) { continue }
                    ODFText.blocks(frame.elements, into: &out, notes: &ignored, firstHeading: &none, asItems: true)
                }
                if let notes = page.first("notes") {
                    let text = notes.elements.filter { $0["class"] == "notes" }.map { ODFText.inline($0) }.joined(separator: "\n")
                        .trimmingWhitespace()
                    if !text.isEmpty { out.paragraph("Notes: " + text) }
                }
            }
            metadata["slides"] = .number(Double(slides))
        }
        let (text, sections) = out.finish()
        guard !text.isEmpty else { throw LoadError(.empty, "the \(name) file has no text") }
        let title =
            metaTitle.flatMap { $0.isEmpty ? nil : $0 } ?? firstHeading
            ?? sections.first { !$0.headingPath.isEmpty }.flatMap { $0.headingPath.first.map(PPTXLoader.strip) } ?? input.stem
        return [
            Document(
                source: input.path, path: input.path, format: format, title: format == .ods ? (metaTitle ?? input.stem) : title, text: text,
                sections: sections, metadata: metadata)
        ]
    }
}

/// The text of OpenDocument elements.
enum ODFText {
    /// The text of an element's inline content: spans, links, `text:s` spaces, tabs and line
    /// breaks; annotations (comments) left out, a note as its citation `[N]`.
    static func inline(_ e: XElement) -> String {
        var out = ""
        func walk(_ e: XElement) {
            for c in e.children {
                switch c {
                case .text(let t): out += t
                case .element(let x):
                    switch x.name {
                    case "s": out += String(repeating: " ", count: Int(x["c"] ?? "1") ?? 1)
                    case "tab": out += "\t"
                    case "line-break": out += "\n"
                    case "annotation", "annotation-end", "bookmark", "soft-page-break", "tracked-changes": break
                    case "note": out += "[\(x.first("note-citation")?.text ?? "?")]"
                    case "p", "h":
                        if !out.isEmpty, !out.hasSuffix("\n") { out += "\n" }
                        walk(x)
                    default: walk(x)
                    }
                }
            }
        }
        walk(e)
        return out
    }

    /// Block content (`text:h`, `text:p`, `text:list`, `table:table`, sections and frames)
    /// into `out`; notes' bodies are collected into `notes`. `asItems` writes paragraphs as
    /// list items (slide text boxes).
    static func blocks(
        _ elements: [XElement], into out: inout OutlineBuilder, notes: inout [String], firstHeading: inout String?, asItems: Bool = false
    ) {
        for e in elements {
            switch e.name {
            case "h":
                let text = inline(e)
                let level = Int(e["outline-level"] ?? "1") ?? 1
                if firstHeading == nil { firstHeading = text.collapsingWhitespace() }
                out.heading(text, level: level)
                collectNotes(e, into: &notes)
            case "p":
                if asItems { out.item(inline(e)) } else { out.paragraph(inline(e)) }
                collectNotes(e, into: &notes)
            case "list":
                list(e, depth: 0, into: &out, notes: &notes)
            case "table":
                out.table(tableRows(e))
            case "section", "frame", "text-box", "index-body", "table-of-content", "illustration-index", "alphabetical-index":
                blocks(e.elements, into: &out, notes: &notes, firstHeading: &firstHeading, asItems: asItems)
            default: break
            }
        }
    }

    static func list(_ l: XElement, depth: Int, into out: inout OutlineBuilder, notes: inout [String]) {
        for item in l.elements where item.name == "list-item" || item.name == "list-header" {
            for child in item.elements {
                if child.name == "list" {
                    list(child, depth: depth + 1, into: &out, notes: &notes)
                } else if child.name == "p" || child.name == "h" {
                    out.item(String(repeating: "  ", count: depth) + "- " + inline(child).trimmingWhitespace())
                    collectNotes(child, into: &notes)
                }
            }
        }
    }

    static func collectNotes(_ e: XElement, into notes: inout [String]) {
        for note in e.descendants("note") {
            let body = note.first("note-body").map(inline)?.collapsingWhitespace() ?? ""
            if !body.isEmpty { notes.append("[\(note.first("note-citation")?.text ?? "?")] " + body) }
        }
    }

    /// A text table's rows (header rows first), repeated cells expanded.
    static func tableRows(_ table: XElement) -> [[String]] {
        var rows: [[String]] = []
        func collect(_ e: XElement) {
            for r in e.elements {
                switch r.name {
                case "table-row": rows.append(cells(of: r, limit: 1_000))
                case "table-header-rows", "table-rows", "table-row-group": collect(r)
                default: break
                }
            }
        }
        collect(table)
        return rows
    }

    /// A row's cells, `number-columns-repeated` expanded (up to `limit` columns: a sheet's
    /// last cell often repeats to the 16,384th column, empty).
    static func cells(of row: XElement, limit: Int) -> [String] {
        var out: [String] = []
        for c in row.elements where c.name == "table-cell" || c.name == "covered-table-cell" {
            let text = c.elements.filter { $0.name == "p" || $0.name == "h" || $0.name == "list" }.map(inline).joined(separator: " ")
            let repeats = min(Int(c["number-columns-repeated"] ?? "1") ?? 1, max(0, limit - out.count))
            out += Array(repeating: text, count: repeats)
        }
        while out.last?.trimmingWhitespace().isEmpty == true { out.removeLast() }
        return out
    }

    /// A sheet's rows, `number-rows-repeated` expanded for rows with text (an empty row that
    /// repeats to the end of the sheet adds nothing). More than `maxRows` rows refuse it.
    static func rows(of table: XElement, maxRows: Int, sheet: String) throws(LoadError) -> [[String]] {
        var rows: [[String]] = []
        var pendingEmpty = 0
        var count = 0
        func visit(_ e: XElement) throws(LoadError) {
            for r in e.elements {
                switch r.name {
                case "table-row":
                    let cells = cells(of: r, limit: 16_384)
                    let repeats = Int(r["number-rows-repeated"] ?? "1") ?? 1
                    if cells.isEmpty {
                        pendingEmpty += repeats
                        continue
                    }
                    count += pendingEmpty + repeats
                    if count > maxRows {
                        throw LoadError(
                            .tooLarge,
                            "sheet \"\(sheet)\" has more than \(maxRows) rows: refused (split the workbook, or export the sheet as CSV)")
                    }
                    rows += Array(repeating: [String](), count: pendingEmpty)
                    pendingEmpty = 0
                    rows += Array(repeating: cells, count: repeats)
                case "table-header-rows", "table-rows", "table-row-group": try visit(r)
                default: break
                }
            }
        }
        try visit(table)
        return rows
    }
}
