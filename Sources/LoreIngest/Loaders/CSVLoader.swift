import LoreCore

/// `.csv`: RFC 4180 (quoted fields, `""` escapes, newlines inside quotes). The first row is
/// the header; each further row is a document. The text is the `--text-field` column, or
/// else every column as `name: value` lines; the columns are also the metadata. A row with
/// a different number of fields than the header rejects the file, naming the line.
public struct CSVLoader: DocumentLoader {
    public var format: DocumentFormat { .csv }
    public init() {}

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        let rows = try Self.parse(input.text)
        guard let header = rows.first else { throw LoadError(.empty, "the CSV file has no header row") }
        let names = header.fields.map { $0.trimmingWhitespace() }
        if let wanted = input.options.textField, !names.contains(wanted) {
            throw LoadError(
                .malformed, "no column \"\(wanted)\" (given by --text-field); the columns are: \(names.joined(separator: ", "))")
        }
        let builder = RecordBuilder(input: input, format: .csv)
        var docs: [Document] = []
        for (n, row) in rows.dropFirst().enumerated() {
            if row.fields.count == 1, row.fields[0].isEmpty { continue }
            guard row.fields.count == names.count else {
                throw LoadError(.malformed, "ragged row at line \(row.line): \(row.fields.count) fields, the header has \(names.count)")
            }
            let fields = zip(names, row.fields).map { ($0, JSONValue.string($1)) }
            docs.append(try builder.document(fields: fields, number: n + 1, what: "row", allFieldsAsText: true))
        }
        return docs
    }

    struct Row {
        var fields: [String]
        /// 1-based line where the row starts.
        var line: Int
    }

    static func parse(_ text: String) throws(LoadError) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var quoteLine = 1
        let bytes = Array(text.utf8)
        var i = 0
        var atFieldStart = true
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { field.append(b); i += 2; continue }
                    inQuotes = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\"") where atFieldStart:
                inQuotes = true
                quoteLine = line
                atFieldStart = false
            case UInt8(ascii: ","):
                endField()
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                endField()
                rows.append(Row(fields: fields, line: rowLine))
                fields.removeAll()
                line += 1
                rowLine = line
            default:
                field.append(b)
                atFieldStart = false
            }
            i += 1
        }
        if inQuotes { throw LoadError(.malformed, "unterminated quoted field starting at line \(quoteLine)") }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            rows.append(Row(fields: fields, line: rowLine))
        }
        return rows
    }
}
