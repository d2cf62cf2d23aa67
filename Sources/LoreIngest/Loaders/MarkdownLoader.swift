import LoreCore

/// `.md` / `.markdown`: keeps the text as written and cuts it into sections at ATX (`#`) and
/// setext (`===`, `---`) headings, ignoring heading-like lines inside fenced code. Simple
/// `key: value` front matter becomes metadata (and `title`, when given, the title).
public struct MarkdownLoader: DocumentLoader {
    public var format: DocumentFormat { .markdown }
    public init() {}

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        var text = input.text
        var metadata: [String: JSONValue] = [:]
        if let (body, front) = Self.splitFrontMatter(text) {
            text = body
            for (k, v) in front { metadata[k] = .string(v) }
        }

        // Line starts, in UTF-8 offsets.
        let utf8 = Array(text.utf8)
        var lines: [Range<Int>] = []
        var s = 0
        for (i, b) in utf8.enumerated() where b == 0x0A {
            lines.append(s..<i)
            s = i + 1
        }
        if s < utf8.count { lines.append(s..<utf8.count) }
        func line(_ k: Int) -> Substring { Substring(String(decoding: utf8[lines[k]], as: UTF8.self)) }

        var sections: [Section] = []
        var stack: [(level: Int, title: String)] = []
        var sectionStart = 0
        var fence: String? = nil
        var firstH1: String? = nil
        var firstHeading: String? = nil

        func startSection(at offset: Int, level: Int, title: String) {
            if offset > sectionStart || sections.isEmpty && offset > 0 {
                sections.append(Section(headingPath: stack.map(\.title), range: sectionStart..<offset))
            }
            sectionStart = offset
            while let top = stack.last, top.level >= level { stack.removeLast() }
            // An empty heading (`#` alone) closes the deeper ones but adds no name to the path.
            guard !title.isEmpty else { return }
            stack.append((level, title))
            if level == 1, firstH1 == nil { firstH1 = title }
            if firstHeading == nil { firstHeading = title }
        }

        var k = 0
        while k < lines.count {
            let l = line(k)
            let trimmed = l.drop(while: { $0 == " " })
            if let f = fence {
                if trimmed.hasPrefix(f) { fence = nil }
                k += 1
                continue
            }
            if l.count - trimmed.count <= 3, trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                k += 1
                continue
            }
            if let (level, title) = Self.atxHeading(l) {
                startSection(at: lines[k].lowerBound, level: level, title: title)
            } else if k + 1 < lines.count, !l.trimmingWhitespace().isEmpty, l.count - trimmed.count <= 3,
                let level = Self.setextUnderline(line(k + 1)), !Self.isListOrQuote(trimmed)
            {
                startSection(at: lines[k].lowerBound, level: level, title: l.trimmingWhitespace())
                k += 1
            }
            k += 1
        }
        sections.append(Section(headingPath: stack.map(\.title), range: sectionStart..<utf8.count))

        let title = metadata["title"]?.stringValue ?? firstH1 ?? firstHeading ?? input.stem
        return [
            Document(
                source: input.path, path: input.path, format: .markdown, title: title, text: text,
                sections: sections, metadata: metadata)
        ]
    }

    static func atxHeading(_ line: Substring) -> (Int, String)? {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        let hashes = rest.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes) else { return nil }
        let after = rest.dropFirst(hashes)
        guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
        var title = after.trimmingWhitespace()
        // An optional closing sequence of #s.
        if let lastNonHash = title.lastIndex(where: { $0 != "#" }), title[lastNonHash] == " " {
            title = String(title[..<lastNonHash]).trimmingWhitespace()
        } else if title.allSatisfy({ $0 == "#" }) {
            title = ""
        }
        return (hashes, title)
    }

    static func setextUnderline(_ line: Substring) -> Int? {
        let t = line.trimmingWhitespace()
        guard !t.isEmpty, line.prefix(while: { $0 == " " }).count <= 3 else { return nil }
        if t.allSatisfy({ $0 == "=" }) { return 1 }
        if t.allSatisfy({ $0 == "-" }) { return 2 }
        return nil
    }

    static func isListOrQuote(_ t: Substring) -> Bool {
        t.hasPrefix("- ") || t.hasPrefix("* ") || t.hasPrefix("+ ") || t.hasPrefix(">") || t.hasPrefix("|")
    }

    /// `---\nkey: value\n---\n` at the very start.
    static func splitFrontMatter(_ text: String) -> (String, [(String, String)])? {
        guard text.hasPrefix("---\n") || text.hasPrefix("---\r\n") else { return nil }
        // "\r\n" is one Character, so it is a separator of its own; the body is cut from the
        // text after the closing line, keeping its line ends as written.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var pairs: [(String, String)] = []
        for (i, raw) in lines.enumerated().dropFirst() {
            let l = raw.trimmingWhitespace()
            if l == "---" || l == "..." {
                var bodyStart = raw.endIndex
                if bodyStart < text.endIndex { bodyStart = text.index(after: bodyStart) }
                return (String(text[bodyStart...]), pairs)
            }
            guard let colon = l.firstIndex(of: ":") else { if l.isEmpty || l.hasPrefix("#") { continue } else { return nil } }
            let key = l[..<colon].trimmingWhitespace()
            var value = l[l.index(after: colon)...].trimmingWhitespace()
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f {
                value = String(value.dropFirst().dropLast())
            }
            if !key.isEmpty { pairs.append((key, value)) }
            if i > 200 { return nil }
        }
        return nil
    }
}
