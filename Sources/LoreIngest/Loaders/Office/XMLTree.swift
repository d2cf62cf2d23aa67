import Foundation
import LoreCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An element of a parsed XML part: its local name (the prefix dropped: `w:p` is `p`), its
/// attributes by qualified name, and its children in order, text runs included.
final class XElement {
    enum Child {
        case element(XElement)
        case text(String)
    }

    let name: String
    let attributes: [String: String]
    fileprivate(set) var children: [Child] = []

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The child elements, in order.
    var elements: [XElement] {
        children.compactMap {
            if case .element(let e) = $0 { return e }
            return nil
        }
    }

    /// The first child element named `name`.
    func first(_ name: String) -> XElement? { elements.first { $0.name == name } }

    /// The child elements named `name`.
    func all(_ name: String) -> [XElement] { elements.filter { $0.name == name } }

    /// The first element named `name` at any depth below this one (depth first, in order).
    func descendant(_ name: String) -> XElement? {
        for e in elements {
            if e.name == name { return e }
            if let d = e.descendant(name) { return d }
        }
        return nil
    }

    /// Every element named `name` below this one, in document order (not below a match).
    func descendants(_ name: String) -> [XElement] {
        var out: [XElement] = []
        for e in elements {
            if e.name == name { out.append(e) } else { out += e.descendants(name) }
        }
        return out
    }

    /// The text of this element and everything below it, concatenated.
    var text: String {
        var out = ""
        for c in children {
            switch c {
            case .text(let t): out += t
            case .element(let e): out += e.text
            }
        }
        return out
    }

    /// The attribute `name`: unprefixed, else the first by local name (`w:val` is `val`).
    subscript(name: String) -> String? {
        if let v = attributes[name] { return v }
        return attributes.first { $0.key.hasSuffix(":" + name) }?.value
    }

    /// The prefixed attribute with local name `name` (`r:id` beside a plain `id`).
    func prefixed(_ name: String) -> String? {
        attributes.first { $0.key.hasSuffix(":" + name) }?.value
    }
}

/// Parses the XML parts of Office and OpenDocument files and EPUBs with Foundation's
/// `XMLParser`, safely: a part with a document type declaration is refused before parsing
/// (none of these formats uses one, and a DTD is how external entities and entity
/// expansion attacks come in), and external entities are never resolved in any case.
enum XMLTree {
    /// Parses `data` (the part `part` of the file, for messages).
    static func parse(_ data: Data, part: String) throws(LoadError) -> XElement {
        try refuseDoctype(data, part: part)
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        // A part cut short can end without an error from the parser: every element it opened
        // must have closed.
        guard parser.parse(), parser.parserError == nil, let root = builder.root, builder.depth == 0 else {
            let reason =
                parser.parserError.map { "\($0.localizedDescription)" }
                ?? (builder.root == nil ? "no root element" : "the part ends inside an element")
            throw LoadError(.malformed, "malformed XML in \(part) (line \(parser.lineNumber): \(reason))")
        }
        return root
    }

    /// Streams `data` to `delegate` with the same safety rules; `delegate` may abort.
    static func stream(_ data: Data, part: String, delegate: any XMLParserDelegate) throws(LoadError) -> Bool {
        try refuseDoctype(data, part: part)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        return parser.parse()
    }

    /// Refuses a document type declaration in the prolog (before the root element).
    static func refuseDoctype(_ data: Data, part: String) throws(LoadError) {
        let head = data.prefix(4096)
        var i = head.startIndex
        // Skip the XML declaration, comments and processing instructions up to the root.
        while let lt = head[i...].firstIndex(of: UInt8(ascii: "<")) {
            let next = head.index(after: lt)
            guard next < head.endIndex else { return }
            let c = head[next]
            if c == UInt8(ascii: "?") || c == UInt8(ascii: "!") {
                if head[next...].starts(with: Array("!DOCTYPE".utf8)) || head[next...].starts(with: Array("!doctype".utf8)) {
                    throw LoadError(
                        .malformed,
                        "\(part) declares a document type (DTD): refused, so that no entity in it is expanded or fetched")
                }
                guard let gt = head[next...].firstIndex(of: UInt8(ascii: ">")) else { return }
                i = head.index(after: gt)
                continue
            }
            return
        }
    }
}

/// Builds an `XElement` tree from parser events.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XElement?
    private var stack: [XElement] = []
    /// Elements opened and not yet closed.
    var depth: Int { stack.count }

    static func local(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        let e = XElement(name: Self.local(elementName), attributes: attributeDict)
        if let parent = stack.last { parent.children.append(.element(e)) } else { root = e }
        stack.append(e)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard let top = stack.last else { return }
        if case .text(let t) = top.children.last {
            top.children[top.children.count - 1] = .text(t + string)
        } else {
            top.children.append(.text(string))
        }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        self.parser(parser, foundCharacters: String(decoding: CDATABlock, as: UTF8.self))
    }
}
