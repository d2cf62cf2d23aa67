import LoreCore

/// Turns one record (a JSON object or a CSV row) into a document: one field is the text,
/// the others become metadata.
struct RecordBuilder {
    static let defaultTextFields = ["text", "content", "body", "page_content"]

    let input: LoaderInput
    let format: DocumentFormat

    /// - Parameters:
    ///   - fields: the record's fields in order.
    ///   - number: 1-based record number, used in the source (`path#N`) and in errors.
    ///   - allFieldsAsText: without a text field, use every field as `name: value` lines (CSV)
    ///     instead of failing (JSON).
    func document(fields: [(String, JSONValue)], number: Int, what: String, allFieldsAsText: Bool) throws(LoadError) -> Document {
        let names = fields.map(\.0)
        var textKey: String? = nil
        if let wanted = input.options.textField {
            guard names.contains(wanted) else {
                throw LoadError(
                    .malformed,
                    "\(what) \(number) has no field \"\(wanted)\" (given by --text-field); its fields are: \(names.joined(separator: ", "))"
                )
            }
            textKey = wanted
        } else {
            textKey = Self.defaultTextFields.first(where: names.contains)
        }
        var metadata: [String: JSONValue] = [:]
        for (k, v) in fields where k != textKey { metadata[k] = v }
        let text: String
        if let key = textKey {
            text = fields.first(where: { $0.0 == key })!.1.textValue
        } else if allFieldsAsText {
            text = fields.map { "\($0.0): \($0.1.textValue)" }.joined(separator: "\n")
        } else {
            throw LoadError(
                .malformed,
                "\(what) \(number) has no text field (looked for \(Self.defaultTextFields.joined(separator: ", "))): pass --text-field; its fields are: \(names.joined(separator: ", "))"
            )
        }
        let title =
            ["title", "name", "subject"].lazy.compactMap { metadata[$0]?.stringValue }.first { !$0.isEmpty }
            ?? "\(input.stem) #\(number)"
        metadata["record"] = .number(Double(number))
        return Document(source: "\(input.path)#\(number)", path: input.path, format: format, title: title, text: text, metadata: metadata)
    }
}

/// `.json`: one object, or an array of objects; one document per object.
public struct JSONLoader: DocumentLoader {
    public var format: DocumentFormat { .json }
    public init() {}

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        let value: JSONValue
        do { value = try JSONParser.parse(input.text) } catch {
            throw LoadError(.malformed, "malformed JSON at \(error)")
        }
        let builder = RecordBuilder(input: input, format: .json)
        switch value {
        case .object(let dict, let keys):
            return [try builder.document(fields: keys.map { ($0, dict[$0]!) }, number: 1, what: "object", allFieldsAsText: false)]
        case .array(let items):
            var docs: [Document] = []
            for (n, item) in items.enumerated() {
                guard case .object(let dict, let keys) = item else {
                    throw LoadError(.malformed, "array element \(n + 1) is not an object")
                }
                docs.append(
                    try builder.document(fields: keys.map { ($0, dict[$0]!) }, number: n + 1, what: "object", allFieldsAsText: false))
            }
            return docs
        default:
            throw LoadError(.malformed, "expected a JSON object or an array of objects")
        }
    }
}

/// `.jsonl`: one JSON object per line; one document per line. Blank lines are ignored; any
/// malformed line rejects the file, naming the line.
public struct JSONLinesLoader: DocumentLoader {
    public var format: DocumentFormat { .jsonl }
    public init() {}

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        let builder = RecordBuilder(input: input, format: .jsonl)
        var docs: [Document] = []
        // "\r\n" is one Character: a split at "\n" alone would leave CRLF files in one line.
        for (n, line) in input.text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            if line.trimmingWhitespace().isEmpty { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(String(line)) } catch {
                throw LoadError(.malformed, "malformed JSON on line \(n + 1), column \(error.column): \(error.reason)")
            }
            guard case .object(let dict, let keys) = value else {
                throw LoadError(.malformed, "line \(n + 1) is not a JSON object")
            }
            docs.append(try builder.document(fields: keys.map { ($0, dict[$0]!) }, number: n + 1, what: "line", allFieldsAsText: false))
        }
        return docs
    }
}
