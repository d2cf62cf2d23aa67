import Foundation
import LoreCore

/// `.epub`: the chapters in the spine's reading order, each read by the HTML loader and
/// joined into one document. A chapter's sections keep their HTML headings; text before its
/// first heading (and a chapter without headings: LibreOffice writes styled paragraphs)
/// goes under the chapter's title from the navigation document (EPUB 3) or the NCX
/// (EPUB 2). A file with DRM (`META-INF/encryption.xml`) is refused by name.
public struct EPUBLoader: DocumentLoader {
    public var format: DocumentFormat { .epub }
    public var readsText: Bool { false }
    var limits = ZipPackage.Limits.standard

    public init() {}

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        var package = try ZipPackage(input.data, file: "EPUB", limits: limits)
        if package.contains("META-INF/encryption.xml") {
            throw LoadError(.encrypted, "the EPUB is encrypted (DRM: META-INF/encryption.xml): only DRM-free books can be read")
        }
        guard let container = try package.xml("META-INF/container.xml"),
            let opfPath = container.descendant("rootfile")?["full-path"], let opf = try package.xml(opfPath)
        else { throw LoadError(.malformed, "not an EPUB (no META-INF/container.xml naming its package document)") }
        let dir = opfPath.contains("/") ? String(opfPath[..<opfPath.lastIndex(of: "/")!]) : ""
        var items: [String: (href: String, type: String, properties: String)] = [:]
        for item in opf.first("manifest")?.all("item") ?? [] {
            guard let id = item["id"], let href = item["href"] else { continue }
            let path = ZipPackage.resolve(href.removingPercentEncoding ?? href, against: dir)
            items[id] = (path, item["media-type"] ?? "", item["properties"] ?? "")
        }
        let titles = try Self.chapterTitles(&package, items: items, spine: opf.first("spine"))
        var text = ""
        var sections: [Section] = []
        for ref in opf.first("spine")?.all("itemref") ?? [] {
            guard let id = ref["idref"], let item = items[id], item.type.contains("html"), let data = try package.read(item.href) else {
                continue
            }
            let html = String(decoding: data, as: UTF8.self)
            let chapter: Document
            do {
                chapter = try HTMLLoader().load(LoaderInput(path: item.href, data: [], text: html, options: input.options))[0]
            } catch { continue }
            let body = chapter.text.trimmingWhitespace()
            guard !body.isEmpty else { continue }
            if !text.isEmpty { text += "\n\n" }
            let offset = text.utf8.count
            text += chapter.text
            let title = titles[item.href]
            for s in chapter.sections {
                var path = s.headingPath
                if path.isEmpty, let title { path = [title] }
                sections.append(Section(headingPath: path, range: (s.range.lowerBound + offset)..<(s.range.upperBound + offset), page: nil))
            }
        }
        // The separators between chapters end the chapter before them.
        for i in sections.indices.dropLast() { sections[i].range = sections[i].range.lowerBound..<sections[i + 1].range.lowerBound }
        guard !text.trimmingWhitespace().isEmpty else { throw LoadError(.empty, "the EPUB has no text in its spine") }
        let metadata = opf.first("metadata")
        var meta: [String: JSONValue] = [:]
        if let creator = metadata?.first("creator")?.text.collapsingWhitespace(), !creator.isEmpty { meta["author"] = .string(creator) }
        if let language = metadata?.first("language")?.text.collapsingWhitespace(), !language.isEmpty {
            meta["language"] = .string(language)
        }
        let title = metadata?.first("title")?.text.collapsingWhitespace()
        return [
            Document(
                source: input.path, path: input.path, format: .epub,
                title: title.flatMap { $0.isEmpty ? nil : $0 } ?? sections.first?.headingPath.first ?? input.stem, text: text,
                sections: sections.isEmpty ? nil : sections, metadata: meta)
        ]
    }

    /// The chapters' titles by their paths: from the EPUB 3 navigation document's table of
    /// contents, else from the EPUB 2 NCX.
    static func chapterTitles(
        _ package: inout ZipPackage, items: [String: (href: String, type: String, properties: String)], spine: XElement?
    ) throws(LoadError) -> [String: String] {
        var titles: [String: String] = [:]
        func add(_ href: String, _ title: String, base: String) {
            let path = ZipPackage.resolve(String(href.split(separator: "#").first ?? ""), against: base)
            let t = title.collapsingWhitespace()
            if titles[path] == nil, !t.isEmpty { titles[path] = t }
        }
        if let nav = items.values.first(where: { $0.properties.split(separator: " ").contains("nav") }),
            let doc = try? package.xml(nav.href)
        {
            let base = nav.href.contains("/") ? String(nav.href[..<nav.href.lastIndex(of: "/")!]) : ""
            let toc = doc.descendants("nav").first { $0["type"] == "toc" } ?? doc.descendant("nav")
            for a in toc?.descendants("a") ?? [] { if let href = a["href"] { add(href, a.text, base: base) } }
        }
        if titles.isEmpty, let ncxID = spine?["toc"], let ncx = items[ncxID], let doc = try? package.xml(ncx.href) {
            let base = ncx.href.contains("/") ? String(ncx.href[..<ncx.href.lastIndex(of: "/")!]) : ""
            for point in doc.descendants("navPoint") {
                if let src = point.first("content")?["src"], let label = point.first("navLabel")?.text { add(src, label, base: base) }
            }
        }
        return titles
    }
}
