import LoreCore

/// Builds a document's text and sections from a stream of headings, paragraphs, list items
/// and tables, as the Office, OpenDocument and EPUB loaders read them: a heading starts a
/// section (its text is the section's first paragraph, as in Markdown) and sets the heading
/// path; a page (a PDF page, a slide, a sheet's block of rows) starts one too.
struct OutlineBuilder {
    private(set) var text = ""
    private var sections: [Section] = []
    private var stack: [(level: Int, title: String)] = []
    private var sectionStart = 0
    private var page: Int?
    private var fixedPath: [String]?
    private var lastWasItem = false
    /// Whether the current section has text (`sectionStart` is where it starts).
    private var open = false

    /// The heading path now.
    var headingPath: [String] { fixedPath ?? stack.map(\.title) }

    /// Starts a section at a heading of `level` (1 outermost).
    mutating func heading(_ title: String, level: Int) {
        let title = title.collapsingWhitespace()
        guard !title.isEmpty else { return }
        closeSection()
        while let last = stack.last, last.level >= level { stack.removeLast() }
        stack.append((level, title))
        fixedPath = nil
        paragraph(title)
    }

    /// Starts a section of page `number` (a slide, a sheet's rows) under `path`.
    mutating func page(_ number: Int?, path: [String]) {
        closeSection()
        page = number
        fixedPath = path
        stack = []
    }

    /// A paragraph (blank lines around it).
    mutating func paragraph(_ s: String) {
        append(s.trimmingWhitespace(), separator: "\n\n")
        lastWasItem = false
    }

    /// A list item: consecutive items are on consecutive lines.
    mutating func item(_ s: String) {
        let wasItem = lastWasItem
        append(s.trimmingWhitespace(), separator: wasItem ? "\n" : "\n\n")
        lastWasItem = true
    }

    private mutating func append(_ s: String, separator: String) {
        guard !s.isEmpty else { return }
        if !text.isEmpty { text += open ? separator : "\n\n" }
        if !open {
            sectionStart = text.utf8.count
            open = true
        }
        text += s
    }

    /// A table as Markdown (the first row its header).
    mutating func table(_ rows: [[String]]) {
        if let t = MarkdownTable.render(rows) { paragraph(t) }
    }

    /// The text and its sections, which tile it: the blank lines between two sections end
    /// the first.
    mutating func finish() -> (text: String, sections: [Section]) {
        closeSection()
        for i in sections.indices.dropLast() { sections[i].range = sections[i].range.lowerBound..<sections[i + 1].range.lowerBound }
        return (text, sections)
    }

    private mutating func closeSection() {
        if open {
            sections.append(Section(headingPath: headingPath, range: sectionStart..<text.utf8.count, page: page))
        }
        open = false
        lastWasItem = false
    }
}

/// Tables as Markdown, the form chunks and the answerer keep rows and columns in.
enum MarkdownTable {
    /// `rows` as a Markdown table, the first row the header; nil when no cell has text.
    /// Short rows are padded; a `|` or a line break in a cell is escaped or turned to a space.
    static func render(_ rows: [[String]]) -> String? {
        let cleaned = rows.map { $0.map(cell) }.filter { $0.contains { !$0.isEmpty } }
        guard let width = cleaned.map(\.count).max(), width > 0 else { return nil }
        let padded = cleaned.map { $0 + Array(repeating: "", count: width - $0.count) }
        var lines = ["| " + padded[0].joined(separator: " | ") + " |"]
        lines.append("|" + Array(repeating: " --- |", count: width).joined())
        for row in padded.dropFirst() { lines.append("| " + row.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }

    static func cell(_ s: String) -> String {
        s.collapsingWhitespace().replacingOccurrences(of: "|", with: "\\|")
    }
}
