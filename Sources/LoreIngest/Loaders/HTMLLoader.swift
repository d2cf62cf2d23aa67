import LoreCore

/// `.html` / `.htm`: a tolerant, single-pass extractor. It keeps the title, the body text and
/// the heading structure (`h1`–`h6` start sections), drops `script`, `style`, `nav`, `footer`
/// and other non-content elements, decodes entities, keeps `pre` blocks as written, and
/// survives broken markup (unclosed or stray tags, unterminated quotes and comments).
public struct HTMLLoader: DocumentLoader {
    public var format: DocumentFormat { .html }
    public init() {}

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        var copy = input.text
        let result = copy.withUTF8 { bytes in
            var extractor = HTMLExtractor(bytes: bytes)
            return extractor.run()
        }
        let title = result.title ?? result.firstHeading ?? input.stem
        return [
            Document(
                source: input.path, path: input.path, format: .html, title: title,
                text: result.text, sections: result.sections)
        ]
    }
}

/// The state of one extraction.
struct HTMLExtractor {
    struct Result {
        var text: String
        var sections: [Section]
        var title: String?
        var firstHeading: String?
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var out = TextAssembler()
    private var sections: [Section] = []
    private var headingStack: [(level: Int, title: String)] = []
    private var sectionStart = 0
    private var title: String?
    private var firstHeading: String?
    private var preDepth = 0
    /// Set at `<pre>`: a line break right after the tag is not content (as in browsers).
    private var atPreStart = false
    /// While inside a heading: its level and where its text starts in `out`.
    private var heading: (level: Int, start: Int)?

    /// Elements whose whole content is dropped.
    /// (`head` is not among them: its `title` is the title, and the rest of it has no text.)
    private static let skipped: Set<String> = [
        "script", "style", "nav", "footer", "noscript", "template", "svg", "iframe", "object", "button", "select", "form"
    ]
    /// Elements whose content is raw text up to the matching end tag.
    private static let rawText: Set<String> = ["script", "style", "textarea", "title", "xmp", "noscript", "iframe"]
    private static let blocks: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead", "tbody", "tfoot", "section",
        "article", "main", "aside", "header", "blockquote", "hr", "figure", "figcaption", "caption", "pre",
        "address", "details", "summary", "fieldset", "center", "body", "html"
    ]

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func run() -> Result {
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<") {
                parseMarkup()
            } else {
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "<") { i += 1 }
                appendText(start..<i)
            }
        }
        closeHeading()
        out.finish()
        sections.append(Section(headingPath: headingStack.map(\.title), range: sectionStart..<out.count))
        sections = sections.filter { !$0.range.isEmpty }
        if sections.isEmpty { sections = [Section(range: 0..<out.count)] }
        return Result(text: out.string, sections: sections, title: title, firstHeading: firstHeading)
    }

    private mutating func appendText(_ r: Range<Int>) {
        var decoded = HTMLEntities.decode(UnsafeBufferPointer(rebasing: bytes[r]))
        if atPreStart, !decoded.isEmpty {
            atPreStart = false
            if decoded.starts(with: [0x0D, 0x0A]) { decoded.removeFirst(2) } else if decoded.first == 0x0A { decoded.removeFirst() }
        }
        out.append(decoded, preserveWhitespace: preDepth > 0)
    }

    private func startsWith(_ s: StaticString, at k: Int, caseInsensitive: Bool = false) -> Bool {
        let n = s.utf8CodeUnitCount
        guard k + n <= bytes.count else { return false }
        for j in 0..<n {
            var b = bytes[k + j]
            if caseInsensitive, b >= 65, b <= 90 { b |= 0x20 }
            if b != s.utf8Start[j] { return false }
        }
        return true
    }

    /// Index of the first occurrence of `s` at or after `k`, or the end.
    private func find(_ s: StaticString, from k: Int, caseInsensitive: Bool = false) -> Int? {
        var j = k
        while j < bytes.count {
            if startsWith(s, at: j, caseInsensitive: caseInsensitive) { return j }
            j += 1
        }
        return nil
    }

    private mutating func parseMarkup() {
        if startsWith("<!--", at: i) {
            i = find("-->", from: i + 4).map { $0 + 3 } ?? bytes.count
            return
        }
        if startsWith("<![CDATA[", at: i) {
            i = find("]]>", from: i + 9).map { $0 + 3 } ?? bytes.count
            return
        }
        if startsWith("<!", at: i) || startsWith("<?", at: i) {
            i = find(">", from: i + 2).map { $0 + 1 } ?? bytes.count
            return
        }
        let closing = i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/")
        var j = i + (closing ? 2 : 1)
        let nameStart = j
        while j < bytes.count, Self.isNameByte(bytes[j]) { j += 1 }
        if j == nameStart {
            // A lone "<": text.
            appendText(i..<(i + 1))
            i += 1
            return
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<j]), as: UTF8.self).lowercased()
        // Skip attributes, honouring quotes; an unterminated quote ends at the next ">".
        var quote: UInt8? = nil
        var quoteStart = 0
        while j < bytes.count {
            let b = bytes[j]
            if let q = quote {
                if b == q { quote = nil }
                j += 1
                continue
            }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b; quoteStart = j }
            if b == UInt8(ascii: ">") { break }
            j += 1
        }
        if quote != nil {
            // Unterminated quote: end the tag at the first ">" after the quote began.
            j = find(">", from: quoteStart) ?? bytes.count
        }
        let selfClosing = j > 0 && j <= bytes.count && bytes[j - 1] == UInt8(ascii: "/")
        i = min(j + 1, bytes.count)
        closing ? endTag(name) : startTag(name, selfClosing: selfClosing)
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == UInt8(ascii: "-") || b == UInt8(ascii: ":")
    }

    private mutating func startTag(_ name: String, selfClosing: Bool) {
        if Self.rawText.contains(name) || Self.skipped.contains(name), !selfClosing {
            let contentStart = i
            let end = skipElement(name)
            if name == "title", title == nil {
                let t = String(decoding: HTMLEntities.decode(UnsafeBufferPointer(rebasing: bytes[contentStart..<end])), as: UTF8.self)
                    .collapsingWhitespace()
                if !t.isEmpty { title = t }
            }
            return
        }
        if let level = Self.headingLevel(name) {
            closeHeading()
            out.breakParagraph()
            let start = out.markSectionStart()
            if start > sectionStart {
                sections.append(Section(headingPath: headingStack.map(\.title), range: sectionStart..<start))
            }
            sectionStart = start
            heading = (level, start)
            return
        }
        // A block inside a heading that already has text ends it (an unclosed `<h1>` must not
        // swallow the rest of the page into its title).
        if let h = heading, name != "br", Self.blocks.contains(name), !out.substring(from: h.start).collapsingWhitespace().isEmpty {
            closeHeading()
        }
        switch name {
        case "pre": out.breakParagraph(); preDepth += 1; atPreStart = true
        case "br": out.breakLine()
        case "td", "th": out.appendSeparator(" | ")
        case "li", "dt", "dd", "tr": out.breakLine()
        default: if Self.blocks.contains(name) { out.breakParagraph() }
        }
    }

    private mutating func endTag(_ name: String) {
        if let level = Self.headingLevel(name), heading?.level == level || heading != nil {
            closeHeading()
            return
        }
        switch name {
        case "pre": preDepth = max(0, preDepth - 1); atPreStart = false; out.breakParagraph()
        case "li", "dt", "dd", "tr": out.breakLine()
        default: if Self.blocks.contains(name) { out.breakParagraph() }
        }
    }

    /// Ends the open heading: its text joins the heading path of the section it starts.
    private mutating func closeHeading() {
        guard let h = heading else { return }
        heading = nil
        let text = out.substring(from: h.start).collapsingWhitespace()
        out.breakParagraph()
        while let top = headingStack.last, top.level >= h.level { headingStack.removeLast() }
        if !text.isEmpty {
            headingStack.append((h.level, text))
            if firstHeading == nil { firstHeading = text }
        }
    }

    /// Skips past the end tag matching `name` (nested same-name elements counted); returns
    /// where the content ended.
    private mutating func skipElement(_ name: String) -> Int {
        let raw = Self.rawText.contains(name)
        var depth = 1
        var j = i
        let nameBytes = Array(name.utf8)
        while j < bytes.count {
            guard bytes[j] == UInt8(ascii: "<") else { j += 1; continue }
            let closing = j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "/")
            let k = j + (closing ? 2 : 1)
            if matchesName(nameBytes, at: k) {
                if closing {
                    depth -= 1
                    if depth == 0 {
                        let contentEnd = j
                        i = find(">", from: k).map { $0 + 1 } ?? bytes.count
                        return contentEnd
                    }
                } else if !raw {
                    depth += 1
                }
            } else if !raw, startsWith("<!--", at: j) {
                j = find("-->", from: j + 4).map { $0 + 3 } ?? bytes.count
                continue
            }
            j += 1
        }
        i = bytes.count
        return bytes.count
    }

    private func matchesName(_ name: [UInt8], at k: Int) -> Bool {
        guard k + name.count <= bytes.count else { return false }
        for (n, c) in name.enumerated() {
            var b = bytes[k + n]
            if b >= 65, b <= 90 { b |= 0x20 }
            if b != c { return false }
        }
        let after = k + name.count
        return after == bytes.count || !Self.isNameByte(bytes[after])
    }

    private static func headingLevel(_ name: String) -> Int? {
        guard name.count == 2, name.first == "h", let d = name.last?.wholeNumberValue, (1...6).contains(d) else { return nil }
        return d
    }
}
