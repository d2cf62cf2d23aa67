import Foundation
import LoreCore

/// `.docx` (Word, Office Open XML): the body in order. Paragraphs whose style is a heading
/// (`Heading N`, `Title`, or an outline level) start sections and make the heading path;
/// lists keep their bullets and numbers; tables become Markdown tables; footnotes and
/// endnotes follow the body under their own heading; comments and deleted text are left out.
public struct DOCXLoader: DocumentLoader {
    public var format: DocumentFormat { .docx }
    public var readsText: Bool { false }
    var limits: ZipPackage.Limits

    public init() { limits = .standard }
    init(limits: ZipPackage.Limits) { self.limits = limits }

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        var package = try ZipPackage(input.data, file: "DOCX", limits: limits)
        guard let document = try package.xml("word/document.xml"), let body = document.descendant("body") else {
            throw LoadError(.malformed, "not a Word document (no word/document.xml body)")
        }
        let styles = try WordStyles(package.xml("word/styles.xml"))
        var numbering = try WordNumbering(package.xml("word/numbering.xml"))
        var out = OutlineBuilder()
        var title: String?

        func paragraph(_ p: XElement) {
            let text = WordText.of(p)
            let props = p.first("pPr")
            let styleID = props?.first("pStyle")?["val"]
            if let level = props?.first("outlineLvl")?["val"].flatMap(Int.init).map({ $0 + 1 }) ?? styles.headingLevel(styleID) {
                if level == 0 {
                    if title == nil { title = text.collapsingWhitespace() }
                    out.heading(text, level: 1)
                } else {
                    out.heading(text, level: level)
                }
                return
            }
            // A list item by its own numbering, or by its style's (`List Bullet`, `List Number`).
            if let num = props?.first("numPr") ?? styles.numbering(styleID), let id = num.first("numId")?["val"], id != "0" {
                let level = num.first("ilvl")?["val"].flatMap(Int.init) ?? 0
                let marker = numbering.next(id: id, level: level)
                out.item(String(repeating: "  ", count: level) + marker + " " + text.trimmingWhitespace())
                return
            }
            out.paragraph(text)
        }

        func block(_ e: XElement) {
            switch e.name {
            case "p": paragraph(e)
            case "tbl": out.table(WordText.rows(of: e))
            case "sdt": e.first("sdtContent")?.elements.forEach(block)
            case "customXml", "smartTag", "ins": e.elements.forEach(block)
            default: break
            }
        }
        body.elements.forEach(block)

        for (part, heading) in [("word/footnotes.xml", "Footnotes"), ("word/endnotes.xml", "Endnotes")] {
            guard let notes = try package.xml(part) else { continue }
            let texts = notes.all(part.contains("foot") ? "footnote" : "endnote").compactMap { n -> String? in
                // Ids 0 and -1 (or types separator, continuationSeparator) are the separators.
                guard n["type"] == nil || n["type"] == "normal" else { return nil }
                let t = n.elements.map(WordText.of).joined(separator: " ").collapsingWhitespace()
                return t.isEmpty ? nil : "[\(n["id"] ?? "?")] " + t
            }
            guard !texts.isEmpty else { continue }
            out.heading(heading, level: 1)
            texts.forEach { out.item($0) }
        }

        let (text, sections) = out.finish()
        guard !text.isEmpty else { throw LoadError(.empty, "the Word document has no text") }
        let core = try OfficeProperties(package.xml("docProps/core.xml"))
        return [
            Document(
                source: input.path, path: input.path, format: .docx,
                title: core.title ?? title ?? sections.first { !$0.headingPath.isEmpty }?.headingPath.first ?? input.stem,
                text: text, sections: sections, metadata: core.metadata)
        ]
    }
}

/// The text of WordprocessingML runs: `w:t`, tabs and breaks; deleted text (`w:delText`),
/// comments and field instructions left out; footnote references as `[N]`.
enum WordText {
    static func of(_ e: XElement) -> String {
        var out = ""
        func walk(_ e: XElement) {
            for c in e.children {
                guard case .element(let x) = c else { continue }
                switch x.name {
                case "t": out += x.text
                case "tab", "ptab": out += "\t"
                case "br", "cr": out += "\n"
                case "noBreakHyphen": out += "-"
                case "footnoteReference", "endnoteReference": out += "[\(x["id"] ?? "?")]"
                case "del", "delText", "instrText", "commentReference", "pPr", "rPr", "fldData": break
                default: walk(x)
                }
            }
        }
        walk(e)
        return out
    }

    /// The rows of a table, each cell's paragraphs joined by spaces (a nested table's text
    /// is its cell's text).
    static func rows(of table: XElement) -> [[String]] {
        table.all("tr").map { row in
            row.elements.filter { $0.name == "tc" || $0.name == "sdt" }.map { cell in
                cell.descendants("p").map(of).joined(separator: " ")
            }
        }
    }
}

/// Paragraph styles: which are headings, and at what level (0 for `Title`).
struct WordStyles {
    private var levels: [String: Int] = [:]
    private var lists: [String: XElement] = [:]

    init(_ styles: XElement?) {
        guard let styles else { return }
        for s in styles.all("style") where s["type"] == "paragraph" {
            guard let id = s["styleId"] else { continue }
            if let num = s.first("pPr")?.first("numPr") { lists[id] = num }
            let name = (s.first("name")?["val"] ?? id).lowercased()
            if let outline = s.first("pPr")?.first("outlineLvl")?["val"].flatMap(Int.init), outline < 9 {
                levels[id] = outline + 1
            } else if name == "title" {
                levels[id] = 0
            } else if name.hasPrefix("heading "), let n = Int(name.dropFirst("heading ".count)) {
                levels[id] = n
            }
        }
    }

    /// The numbering (`w:numPr`) the style `id` gives its paragraphs, if any.
    func numbering(_ id: String?) -> XElement? { id.flatMap { lists[$0] } }

    /// The heading level of the style `id` (0: the title), nil for body styles.
    func headingLevel(_ id: String?) -> Int? {
        guard let id else { return nil }
        if let l = levels[id] { return l }
        // Files written without a styles part still name the built-in styles.
        let lower = id.lowercased()
        if lower == "title" { return 0 }
        if lower.hasPrefix("heading"), let n = Int(lower.dropFirst("heading".count)) { return n }
        return nil
    }
}

/// List numbering: a bullet, or the next number of the list at its level.
struct WordNumbering {
    private var formats: [String: [Int: String]] = [:]
    private var counters: [String: [Int: Int]] = [:]

    init(_ numbering: XElement?) {
        guard let numbering else { return }
        var abstract: [String: [Int: String]] = [:]
        for a in numbering.all("abstractNum") {
            guard let id = a["abstractNumId"] else { continue }
            var levels: [Int: String] = [:]
            for l in a.all("lvl") {
                if let i = l["ilvl"].flatMap(Int.init) { levels[i] = l.first("numFmt")?["val"] ?? "bullet" }
            }
            abstract[id] = levels
        }
        for n in numbering.all("num") {
            if let id = n["numId"], let a = n.first("abstractNumId")?["val"] { formats[id] = abstract[a] ?? [:] }
        }
    }

    /// The marker of the next item of list `id` at `level`: `-` for bullets, `N.` otherwise.
    mutating func next(id: String, level: Int) -> String {
        let format = formats[id]?[level] ?? "bullet"
        if format == "bullet" || format == "none" { return "-" }
        var c = counters[id] ?? [:]
        let n = (c[level] ?? 0) + 1
        c[level] = n
        for deeper in c.keys where deeper > level { c[deeper] = 0 }
        counters[id] = c
        return "\(n)."
    }
}

/// `docProps/core.xml`: the title, author and dates, as document metadata.
struct OfficeProperties {
    var title: String?
    var metadata: [String: JSONValue] = [:]

    init(_ core: XElement?) {
        guard let core else { return }
        for (name, key) in [("title", "title"), ("creator", "author"), ("subject", "subject"), ("modified", "modified")] {
            if let v = core.first(name)?.text.collapsingWhitespace(), !v.isEmpty {
                if key == "title" { title = v } else { metadata[key] = .string(v) }
            }
        }
    }
}
