import Foundation

/// A `multipart/form-data` body (RFC 7578) split into its parts. Only what the document
/// upload needs: each part's `name`, optional `filename` and bytes; part headers other
/// than `Content-Disposition` are ignored.
struct MultipartParser {
    struct Part {
        var name: String
        var filename: String?
        var data: [UInt8]
    }

    /// The boundary of a `multipart/form-data; boundary=...` content type.
    static func boundary(contentType: String) throws(APIError) -> String {
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.trimmingCharacters(in: .whitespaces)
            guard kv.lowercased().hasPrefix("boundary=") else { continue }
            var value = String(kv.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            guard (1...70).contains(value.utf8.count) else { break }
            return value
        }
        throw APIError.invalidRequest("Content-Type: multipart/form-data needs a boundary parameter of 1 to 70 characters")
    }

    /// The parts of `body`; a body that is not well-formed multipart is a 400.
    static func parts(_ body: [UInt8], boundary: String) throws(APIError) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var position = find(delimiter, in: body, from: 0) else {
            throw APIError.invalidRequest("multipart body: no part starts with the boundary \(boundary)")
        }
        var parts: [Part] = []
        while true {
            position += delimiter.count
            // "--" after a delimiter closes the body.
            if body.count >= position + 2, body[position] == 45, body[position + 1] == 45 { return parts }
            guard body.count >= position + 2, Array(body[position..<position + 2]) == crlf else {
                throw APIError.invalidRequest("multipart body: a boundary line is not followed by CRLF")
            }
            position += 2
            guard let headerEnd = find(crlf + crlf, in: body, from: position) else {
                throw APIError.invalidRequest("multipart body: part \(parts.count) has no end of headers")
            }
            let headers = String(decoding: body[position..<headerEnd], as: UTF8.self)
            guard let next = find(crlf + delimiter, in: body, from: headerEnd + 4) else {
                throw APIError.invalidRequest("multipart body: part \(parts.count) is not closed by the boundary")
            }
            parts.append(try part(headers: headers, data: Array(body[(headerEnd + 4)..<next]), index: parts.count))
            position = next + 2
        }
    }

    private static func part(headers: String, data: [UInt8], index: Int) throws(APIError) -> Part {
        for line in headers.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":"),
                line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition"
            else { continue }
            let value = String(line[line.index(after: colon)...])
            guard let name = parameter("name", in: value) else {
                throw APIError.invalidRequest("multipart body: part \(index) has no name in its Content-Disposition")
            }
            return Part(name: name, filename: parameter("filename", in: value), data: data)
        }
        throw APIError.invalidRequest("multipart body: part \(index) has no Content-Disposition header")
    }

    /// A `key="value"` (or `key=value`) parameter of a header value.
    static func parameter(_ key: String, in value: String) -> String? {
        var rest = Substring(value)
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...]
            let trimmed = rest.drop(while: { $0 == " " || $0 == "\t" })
            guard trimmed.lowercased().hasPrefix(key.lowercased() + "=") else { continue }
            let v = trimmed.dropFirst(key.count + 1)
            if v.hasPrefix("\"") {
                var out = ""
                var escaped = false
                for ch in v.dropFirst() {
                    if escaped {
                        out.append(ch); escaped = false
                    } else if ch == "\\" {
                        escaped = true
                    } else if ch == "\"" {
                        return out
                    } else {
                        out.append(ch)
                    }
                }
                return nil
            }
            return String(v.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
