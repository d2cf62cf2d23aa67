import Foundation
import LoreCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `.xlsx` (Excel, Office Open XML): one part per sheet, in the workbook's order. A sheet's
/// rows become Markdown tables under the heading path `[sheet name]`, the first non-empty
/// row the header, cut into sections of at most `rowsPerSection` rows with the header
/// repeated, so every chunk reads as a table. Shared strings are resolved; a formula cell
/// gives its cached value (what the program that saved the file computed). Sheets are read
/// as a stream, and one with more than `maxRows` rows refuses the file: a clear error, not
/// a stall. Hidden sheets are left out.
public struct XLSXLoader: DocumentLoader {
    public var format: DocumentFormat { .xlsx }
    public var readsText: Bool { false }
    /// Rows per section (and so at most per chunk) under one repeated header.
    public var rowsPerSection: Int
    /// Characters of cells per section: rows are cut sooner when they are long, so that a
    /// section fits a chunk of the default size and its header stays with it.
    public var charactersPerSection = 700
    /// The most rows a sheet may have.
    public var maxRows: Int
    var limits: ZipPackage.Limits

    public init(rowsPerSection: Int = 40, maxRows: Int = 100_000) {
        self.rowsPerSection = max(1, rowsPerSection)
        self.maxRows = maxRows
        limits = .standard
    }

    init(limits: ZipPackage.Limits, maxRows: Int = 100_000) {
        self.init(maxRows: maxRows)
        self.limits = limits
    }

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        var package = try ZipPackage(input.data, file: "XLSX", limits: limits)
        guard let workbook = try package.xml("xl/workbook.xml") else {
            throw LoadError(.malformed, "not an Excel workbook (no xl/workbook.xml)")
        }
        let rels = try package.relationships(of: "xl/workbook.xml")
        let shared = try SharedStrings(package.xml("xl/sharedStrings.xml"))
        var out = OutlineBuilder()
        var names: [String] = []
        for sheet in workbook.first("sheets")?.all("sheet") ?? [] {
            guard sheet["state"] != "hidden", sheet["state"] != "veryHidden" else { continue }
            let name = sheet["name"] ?? "Sheet \(names.count + 1)"
            guard let rid = sheet.prefixed("id"), let part = rels[rid]?.target, let data = try package.read(part) else { continue }
            let reader = SheetReader(shared: shared, maxRows: maxRows)
            let parsed = try XMLTree.stream(data, part: part, delegate: reader)
            if reader.overflow {
                throw LoadError(
                    .tooLarge,
                    "sheet \"\(name)\" has more than \(maxRows) rows: refused (split the workbook, or export the sheet as CSV)")
            }
            guard parsed else { throw LoadError(.malformed, "malformed XML in \(part) (sheet \"\(name)\")") }
            names.append(name)
            Self.write(reader.rows, sheet: name, rowsPerSection: rowsPerSection, characters: charactersPerSection, into: &out)
        }
        let (text, sections) = out.finish()
        guard !text.isEmpty else { throw LoadError(.empty, "the workbook has no cells with values") }
        let core = try OfficeProperties(package.xml("docProps/core.xml"))
        var metadata = core.metadata
        metadata["sheets"] = .array(names.map { .string($0) })
        return [
            Document(
                source: input.path, path: input.path, format: .xlsx, title: core.title ?? input.stem, text: text,
                sections: sections, metadata: metadata)
        ]
    }

    /// A sheet's rows as tables of at most `rowsPerSection` rows and about `characters`
    /// characters (one row at least) under its header, one section each.
    static func write(_ rows: [[String]], sheet: String, rowsPerSection: Int, characters: Int, into out: inout OutlineBuilder) {
        let rows = rows.filter { $0.contains { !$0.trimmingWhitespace().isEmpty } }
        guard let header = rows.first else { return }
        let body = rows.dropFirst()
        if body.isEmpty {
            out.page(nil, path: [sheet])
            out.table([header])
            return
        }
        let headerSize = header.reduce(0) { $0 + $1.count }
        var start = body.startIndex
        while start < body.endIndex {
            var end = start + 1
            var size = headerSize + body[start].reduce(0) { $0 + $1.count }
            while end < body.endIndex, end - start < rowsPerSection {
                let next = body[end].reduce(0) { $0 + $1.count }
                if size + next > characters { break }
                size += next
                end += 1
            }
            out.page(nil, path: [sheet])
            out.table([header] + body[start..<end])
            start = end
        }
    }
}

/// `xl/sharedStrings.xml`: the strings cells of type `s` point at.
struct SharedStrings {
    private(set) var strings: [String] = []

    init(_ part: XElement?) {
        guard let part else { return }
        // Rich text (`r` runs) and phonetic runs (`rPh`, left out) or plain `t`.
        strings = part.all("si").map { si in
            si.first("t")?.text ?? si.all("r").map { $0.first("t")?.text ?? "" }.joined()
        }
    }

    subscript(i: Int) -> String? { strings.indices.contains(i) ? strings[i] : nil }
}

/// Reads a worksheet part as a stream: rows of cell values, placed by their references
/// (`C7` is the third column) so empty cells keep their columns.
final class SheetReader: NSObject, XMLParserDelegate {
    let shared: SharedStrings
    let maxRows: Int
    private(set) var rows: [[String]] = []
    private(set) var overflow = false
    private var row: [String] = []
    private var cellType: String?
    private var cellColumn: Int?
    private var value = ""
    private var inValue = false
    private var count = 0

    init(shared: SharedStrings, maxRows: Int) {
        self.shared = shared
        self.maxRows = maxRows
    }

    /// The 0-based column of a reference like `AB12`.
    static func column(_ ref: String) -> Int? {
        var n = 0
        var any = false
        for u in ref.unicodeScalars {
            guard u.value >= 65, u.value <= 90 else { break }
            n = n * 26 + Int(u.value - 64)
            any = true
        }
        return any ? n - 1 : nil
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes: [String: String] = [:]
    ) {
        switch elementName {
        case "row":
            count += 1
            if count > maxRows {
                overflow = true
                parser.abortParsing()
            }
            row = []
        case "c":
            cellType = attributes["t"]
            cellColumn = attributes["r"].flatMap(Self.column)
            value = ""
        case "v", "t":
            inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inValue { value += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        switch elementName {
        case "v", "t":
            inValue = false
        case "c":
            let text: String
            switch cellType {
            case "s": text = Int(value.trimmingWhitespace()).flatMap { shared[$0] } ?? ""
            case "b": text = value == "1" ? "TRUE" : "FALSE"
            default: text = value
            }
            let column = cellColumn ?? row.count
            if column < 16_384 {
                if row.count < column { row += Array(repeating: "", count: column - row.count) }
                if row.count == column { row.append(text) } else { row[column] = text }
            }
        case "row":
            while row.last?.isEmpty == true { row.removeLast() }
            rows.append(row)
        default: break
        }
    }
}
