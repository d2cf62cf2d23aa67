import Foundation
import Hummingbird
import LoreCore

/// The body of `POST /v1/documents`, in either form:
///
/// - JSON: `{"collection": "default", "documents": [{"name": "notes/wal.md", "text": "...",
///   "format": "md", "metadata": {"team": "db"}}]}`; `name` and `text` are required, at
///   most 100 documents;
/// - `multipart/form-data` (see `MultipartForm`): one or more `file` parts (the part's
///   filename is the name; `filename*`, RFC 8187 UTF-8, wins over `filename`), and at most
///   one each of `collection`, `format` and `metadata` (a JSON object's text, applied to
///   every file); a repeated `collection`, `format` or `metadata` is a 400 naming it.
struct DocumentUploadBody {
    static let maxDocuments = 100
    static let fields: Set<String> = ["collection", "documents"]
    static let documentFields: Set<String> = ["name", "text", "format", "metadata"]

    var collection: CollectionName?
    var uploads: [DocumentUpload]

    static func parse(_ bytes: [UInt8], contentType: String?) throws(APIError) -> DocumentUploadBody {
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/json", "": return try json(bytes)
        case "multipart/form-data": return try multipart(bytes, contentType: contentType!)
        default:
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                "Content-Type: \(type) is not accepted; send application/json or multipart/form-data")
        }
    }

    static func json(_ bytes: [UInt8]) throws(APIError) -> DocumentUploadBody {
        let body = try JSONFields.parse(bytes, allowed: fields)
        guard let items = try body.array("documents") else { throw APIError.invalidRequest("documents: required") }
        try checkCount(items.count, field: "documents")
        var uploads: [DocumentUpload] = []
        for (i, item) in items.enumerated() {
            let field = "documents[\(i)]"
            let d = try JSONFields(item, path: field, allowed: documentFields)
            guard let name = try d.string("name") else { throw APIError.invalidRequest("\(field).name: required") }
            guard let text = try d.string("text") else { throw APIError.invalidRequest("\(field).text: required") }
            uploads.append(
                DocumentUpload(
                    name: try DocumentName.validate(name, field: "\(field).name"), data: Array(text.utf8),
                    format: try format(try d.string("format"), field: "\(field).format", name: name),
                    metadata: try metadata(d, field: field), field: field))
        }
        return DocumentUploadBody(collection: try body.string("collection").map { CollectionName(name: $0) }, uploads: uploads)
    }

    /// The form fields other than `file`: each at most once.
    static let formFields: Set<String> = ["collection", "format", "metadata"]

    static func multipart(_ bytes: [UInt8], contentType: String) throws(APIError) -> DocumentUploadBody {
        let parts = try MultipartForm.parts(bytes, boundary: try MultipartForm.boundary(contentType: contentType))
        var collection: CollectionName?
        var formatName: String?
        var meta: [String: JSONValue] = [:]
        var files: [MultipartForm.Part] = []
        var seen: Set<String> = []
        for part in parts {
            if part.name == "file" {
                files.append(part)
                continue
            }
            guard formFields.contains(part.name) else {
                throw APIError.invalidRequest(
                    "\(part.name.prefix(60)): unknown form field; known fields are collection, file, format, metadata")
            }
            guard seen.insert(part.name).inserted else {
                throw APIError.invalidRequest("\(part.name): given more than once; only file may be repeated")
            }
            switch part.name {
            case "collection": collection = CollectionName(name: String(decoding: part.data, as: UTF8.self))
            case "format": formatName = String(decoding: part.data, as: UTF8.self)
            default:
                let value: JSONValue
                do { value = try part.data.withUnsafeBufferPointer { try JSONParser.parse($0) } } catch {
                    throw APIError.invalidRequest("metadata: not valid JSON (expected an object of KEY: VALUE)")
                }
                let fields = try JSONFields(JSONValue.object([("metadata", value)]), allowed: ["metadata"])
                meta = try metadata(fields, field: "")
            }
        }
        guard !files.isEmpty else { throw APIError.invalidRequest("file: required (one or more file parts)") }
        try checkCount(files.count, field: "file")
        var uploads: [DocumentUpload] = []
        for (i, file) in files.enumerated() {
            let field = "file[\(i)]"
            guard let filename = file.filename else { throw APIError.invalidRequest("\(field): the part has no filename") }
            let name = try DocumentName.validate(filename, field: "\(field) filename")
            uploads.append(
                DocumentUpload(
                    name: name, data: file.data, format: try format(formatName, field: "format", name: name),
                    metadata: meta, field: field))
        }
        return DocumentUploadBody(collection: collection, uploads: uploads)
    }

    static func checkCount(_ count: Int, field: String) throws(APIError) {
        guard count > 0 else { throw APIError.invalidRequest("\(field): at least one document is required") }
        guard count <= maxDocuments else {
            throw APIError.invalidRequest("\(field): \(count) documents in one request; at most \(maxDocuments)")
        }
    }

    /// A format name: 415 `unsupported_format` when Lore has no loader of that name.
    static func format(_ name: String?, field: String, name document: String) throws(APIError) -> DocumentFormat? {
        guard let name else { return nil }
        guard let format = DocumentFormat(rawValue: name) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_format",
                "\(field): \(document): unknown format \(name); supported formats are \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return format
    }

    /// `metadata`: an object whose values are strings, numbers or booleans.
    static func metadata(_ d: JSONFields, field: String) throws(APIError) -> [String: JSONValue] {
        guard let pairs = try d.textMap("metadata") else { return [:] }
        var out: [String: JSONValue] = [:]
        for (key, text) in pairs {
            guard !key.isEmpty, !key.contains("\""), key.utf8.count <= 128 else {
                throw APIError.invalidRequest("\(d.name("metadata")): a key must be 1 to 128 bytes with no double quote, not \(key)")
            }
            out[key] = .string(text)
        }
        return out
    }
}
