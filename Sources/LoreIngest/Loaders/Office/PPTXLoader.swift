import Foundation
import LoreCore

/// `.pptx` (PowerPoint, Office Open XML): one section per slide, in the presentation's
/// order, holding the slide's title, its text (tables as Markdown) and its speaker notes.
/// Each section's `page` is the slide number, so chunks and citations carry it; the heading
/// path is the slide's title (`Slide N` when it has none). Hidden slides are left out.
public struct PPTXLoader: DocumentLoader {
    public var format: DocumentFormat { .pptx }
    public var readsText: Bool { false }
    var limits: ZipPackage.Limits

    public init() { limits = .standard }
    init(limits: ZipPackage.Limits) { self.limits = limits }

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        var package = try ZipPackage(input.data, file: "PPTX", limits: limits)
        guard let presentation = try package.xml("ppt/presentation.xml") else {
            throw LoadError(.malformed, "not a PowerPoint presentation (no ppt/presentation.xml)")
        }
        let rels = try package.relationships(of: "ppt/presentation.xml")
        let slideIDs = presentation.first("sldIdLst")?.all("sldId") ?? []
        var out = OutlineBuilder()
        var number = 0
        var slides = 0
        for sid in slideIDs {
            guard let rid = sid.prefixed("id"), let part = rels[rid]?.target,
                let slide = try package.xml(part)
            else { continue }
            number += 1
            if slide["show"] == "0" { continue }
            slides += 1
            let shapes = slide.descendant("spTree")?.elements ?? []
            let title = shapes.lazy.compactMap(Self.title).first
            out.page(number, path: [title.map { "Slide \(number): \($0)" } ?? "Slide \(number)"])
            if let title { out.paragraph(title) }
            for shape in shapes { Self.write(shape, into: &out) }
            let slideRels = try package.relationships(of: part)
            if let notesPart = slideRels.values.first(where: { $0.type.hasSuffix("/notesSlide") })?.target,
                let notes = try package.xml(notesPart)
            {
                let text = (notes.descendant("spTree")?.elements ?? [])
                    .filter { Self.placeholder($0) == "body" }
                    .map { Self.paragraphs(of: $0).joined(separator: "\n") }
                    .joined(separator: "\n")
                    .trimmingWhitespace()
                if !text.isEmpty { out.paragraph("Notes: " + text) }
            }
        }
        let (text, sections) = out.finish()
        guard !text.isEmpty else { throw LoadError(.empty, "the presentation has no text") }
        let core = try OfficeProperties(package.xml("docProps/core.xml"))
        var metadata = core.metadata
        metadata["slides"] = .number(Double(slides))
        return [
            Document(
                source: input.path, path: input.path, format: .pptx,
                title: core.title ?? sections.first.flatMap { s in s.headingPath.first.map { Self.strip($0) } } ?? input.stem,
                text: text, sections: sections, metadata: metadata)
        ]
    }

    /// `Slide 3: Title` without its `Slide N: `.
    static func strip(_ heading: String) -> String {
        guard let r = heading.range(of: ": ") else { return heading }
        return String(heading[r.upperBound...])
    }

    /// The placeholder type of a shape (`title`, `ctrTitle`, `body`, `sldNum`...), `obj`
    /// for an untyped placeholder, nil for a shape that is none.
    static func placeholder(_ shape: XElement) -> String? {
        guard let ph = shape.first("nvSpPr")?.first("nvPr")?.first("ph") else { return nil }
        return ph["type"] ?? "obj"
    }

    /// The text of a title placeholder.
    static func title(_ shape: XElement) -> String? {
        guard shape.name == "sp", let type = placeholder(shape), type == "title" || type == "ctrTitle" else { return nil }
        let t = paragraphs(of: shape).joined(separator: " ").collapsingWhitespace()
        return t.isEmpty ? nil : t
    }

    /// The paragraphs (`a:p`) of a shape's text body, each its runs and fields joined.
    static func paragraphs(of shape: XElement) -> [String] {
        guard let body = shape.first("txBody") else { return [] }
        return body.all("p").map { p in
            p.elements.map { r -> String in
                switch r.name {
                case "r", "fld": r.first("t")?.text ?? ""
                case "br": "\n"
                default: ""
                }
            }.joined()
        }
    }

    /// Writes a shape's text: paragraphs as list items (slide bodies are lists), tables as
    /// Markdown, groups shape by shape; titles (written already), slide numbers, dates and
    /// footers are left out.
    static func write(_ shape: XElement, into out: inout OutlineBuilder) {
        switch shape.name {
        case "sp":
            if let type = placeholder(shape), ["title", "ctrTitle", "sldNum", "dt", "ftr", "hdr"].contains(type) { return }
            for p in paragraphs(of: shape) { out.item(p) }
        case "grpSp":
            for child in shape.elements { write(child, into: &out) }
        case "graphicFrame":
            if let table = shape.descendant("tbl") {
                out.table(table.all("tr").map { row in row.all("tc").map { cell in paragraphs(of: cell).joined(separator: " ") } })
            }
        default: break
        }
    }
}
