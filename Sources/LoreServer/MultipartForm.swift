import Foundation
import MultipartKit

/// A `multipart/form-data` body (RFC 7578) split into its parts: each part's `name`,
/// optional `filename` and bytes. multipart-kit's `MultipartParser` does the splitting
/// (boundary lines, header lines, part bodies); this type adds what the document upload
/// needs on top of it, each a 400 (`invalid_request`) naming the problem:
///
/// - the `boundary` parameter of the `Content-Type` (quoted or not, 1 to 70 RFC 2046
///   characters), which multipart-kit takes as given;
/// - the end of the body: multipart-kit reports nothing when a body stops before its
///   closing `--BOUNDARY--` line (it hands back the parts it completed), so the parts must
///   end with that line, and the parser must reach it;
/// - bounded part headers: at most `maxHeaderBytes` per part. The body is fed to the
///   parser `chunkBytes` at a time, so a header line that is still growing inside the
///   parser (it reports a line only when the line ends) is refused once it is that long;
/// - `Content-Disposition` (RFC 7578 §4.2; multipart-kit's own accessor splits on `;` and
///   `=` without regard to quoting): `form-data`, exactly one `name`, and `filename` or
///   `filename*` (RFC 8187, formerly 5987: `UTF-8''` and percent-encoded UTF-8, which wins
///   over `filename`, as RFC 6266 §4.3 asks).
///
/// Part headers other than `Content-Disposition` are ignored; the preamble before the first
/// boundary line and the epilogue after the closing one are ignored (RFC 2046 §5.1.1).
/// Parts are numbered from 0 in messages, as `file[0]` is.
struct MultipartForm {
    struct Part: Equatable, Sendable {
        var name: String
        var filename: String?
        var data: [UInt8]
    }

    /// The most header bytes one part may have: its header lines together (each counted
    /// as `NAME: VALUE` and CRLF), or a single line the parser is still reading.
    static let maxHeaderBytes = 16 * 1024
    /// How many bytes of the body the parser is given at a time.
    static let chunkBytes = 4 * 1024

    /// The boundary of a `multipart/form-data; boundary=...` content type.
    static func boundary(contentType: String) throws(APIError) -> String {
        let rule = "Content-Type: multipart/form-data needs a boundary parameter of 1 to 70 characters"
        guard let (_, parameters) = HeaderParameters.parse(contentType) else {
            throw APIError.invalidRequest("Content-Type: malformed parameters (\(contentType.prefix(100)))")
        }
        let values = parameters.filter { $0.key == "boundary" }.map(\.value)
        guard values.count <= 1 else { throw APIError.invalidRequest("Content-Type: the boundary parameter is given more than once") }
        guard let value = values.first, (1...70).contains(value.utf8.count) else { throw APIError.invalidRequest(rule) }
        // RFC 2046 §5.1.1: bchars, not ending in a space.
        guard value.unicodeScalars.allSatisfy(isBoundaryCharacter), value.last != " " else {
            throw APIError.invalidRequest(
                "\(rule): letters, digits and '()+_,-./:=? (a space, but not last); not \(value.debugDescription)")
        }
        return value
    }

    /// The parts of `body`; a body that is not well-formed multipart is a 400.
    static func parts(_ body: [UInt8], boundary: String) throws(APIError) -> [Part] {
        // multipart-kit stops the process on an empty boundary (a precondition).
        guard !boundary.isEmpty else { throw APIError.invalidRequest("Content-Type: the boundary parameter is empty") }
        let dashBoundary = Array("--\(boundary)".utf8)
        let hyphen = UInt8(ascii: "-")
        guard let first = body.firstRange(of: dashBoundary) else {
            throw APIError.invalidRequest("multipart body: no part starts with the boundary line --\(boundary)")
        }
        // `--BOUNDARY--` at once: a form with no parts (DocumentUploadBody asks for a file).
        if body[first.upperBound...].starts(with: [hyphen, hyphen]) { return [] }
        let notClosed = APIError.invalidRequest(
            "multipart body: the parts do not end with the closing boundary line --\(boundary)-- "
                + "(the body is truncated, or a boundary line is followed by neither CRLF nor --)")
        guard let close = body[first.upperBound...].firstRange(of: [13, 10] + dashBoundary + [hyphen, hyphen]) else {
            throw notClosed
        }

        let parser = MultipartKit.MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var headers: [(name: String, value: String)] = []
        var headerBytes = 0
        var data: [UInt8] = []
        var events = 0
        var failure: APIError?
        parser.onHeader = { name, value in
            events += 1
            headerBytes += name.utf8.count + value.utf8.count + 4
            if headerBytes > maxHeaderBytes, failure == nil { failure = headersTooLarge(part: parts.count) }
            headers.append((name, value))
        }
        parser.onBody = { buffer in
            events += 1
            data.append(contentsOf: buffer.readableBytesView)
        }
        parser.onPartComplete = {
            events += 1
            if failure == nil {
                do throws(APIError) { parts.append(try part(headers: headers, data: data, index: parts.count)) } catch { failure = error }
            }
            headers = []
            headerBytes = 0
            data = []
        }

        // From the first boundary line (the preamble is skipped) up to the first hyphen of the
        // closing `--`, which is fed alone: the parser ends the last part on that byte only
        // if it has just read a whole boundary line there, that is, if the body is closed.
        let end = close.upperBound - 2
        var start = first.lowerBound
        var quiet = 0
        do {
            while start < end {
                let chunk = body[start..<min(start + chunkBytes, end)]
                let before = events
                try parser.execute(ByteBuffer(bytes: chunk))
                start = chunk.endIndex
                if let failure { throw failure }
                // No header line, body bytes or part end in this chunk: the parser is inside one
                // header line (the only stretch of a body it reports nothing for).
                quiet = events == before ? quiet + chunk.count : 0
                if quiet > maxHeaderBytes { throw headersTooLarge(part: parts.count) }
            }
            let completed = parts.count
            try parser.execute(ByteBuffer(bytes: [hyphen]))
            if let failure { throw failure }
            guard parts.count == completed + 1 else { throw notClosed }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest(
                "multipart body: malformed at part \(parts.count): a boundary line must be followed by CRLF (or -- after the "
                    + "last part), then header lines NAME: VALUE each ending in CRLF, then an empty line")
        }
        return parts
    }

    static func headersTooLarge(part index: Int) -> APIError {
        APIError.invalidRequest("multipart body: part \(index): its headers are larger than \(maxHeaderBytes) bytes")
    }

    /// A part from the headers and bytes the parser reported.
    static func part(headers: [(name: String, value: String)], data: [UInt8], index: Int) throws(APIError) -> Part {
        let what = "multipart body: part \(index)"
        let dispositions = headers.filter { $0.name.lowercased() == "content-disposition" }
        guard let header = dispositions.first else { throw APIError.invalidRequest("\(what) has no Content-Disposition header") }
        guard dispositions.count == 1 else { throw APIError.invalidRequest("\(what) has more than one Content-Disposition header") }
        guard let (type, parameters) = HeaderParameters.parse(header.value) else {
            throw APIError.invalidRequest(
                "\(what): malformed Content-Disposition (form-data; name=\"...\"; filename=\"...\" expected): \(header.value.prefix(200))")
        }
        guard type.lowercased() == "form-data" else {
            throw APIError.invalidRequest("\(what): Content-Disposition must be form-data, not \(type.prefix(60))")
        }
        var values: [String: String] = [:]
        for (key, value) in parameters {
            guard values.updateValue(value, forKey: key) == nil else {
                throw APIError.invalidRequest("\(what): Content-Disposition has \(key.prefix(60)) more than once")
            }
        }
        guard let name = values["name"], !name.isEmpty else {
            throw APIError.invalidRequest("\(what) has no name in its Content-Disposition")
        }
        var filename = values["filename"]
        if let extended = values["filename*"] { filename = try decodeExtendedValue(extended, field: "\(what) (\(name)) filename*") }
        return Part(name: name, filename: filename, data: data)
    }

    /// An RFC 8187 `ext-value` (`charset'language'value`, the value percent-encoded): the
    /// UTF-8 text it encodes. Only the UTF-8 charset is taken (RFC 8187 §3.2.1 asks every
    /// recipient for UTF-8; ISO-8859-1 is not used by today's clients).
    static func decodeExtendedValue(_ raw: String, field: String) throws(APIError) -> String {
        let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else {
            throw APIError.invalidRequest("\(field): must be UTF-8''PERCENT-ENCODED-NAME (RFC 8187), not \(raw.prefix(100))")
        }
        guard pieces[0].lowercased() == "utf-8" else {
            throw APIError.invalidRequest("\(field): the charset must be UTF-8, not \(pieces[0].prefix(40))")
        }
        var bytes: [UInt8] = []
        var encoded = pieces[2].utf8[...]
        while let byte = encoded.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard encoded.count >= 2, let high = hexValue(encoded.removeFirst()), let low = hexValue(encoded.removeFirst()) else {
                    throw APIError.invalidRequest("\(field): % must be followed by two hexadecimal digits")
                }
                bytes.append(high << 4 | low)
            } else {
                // attr-char: visible ASCII; anything else must be percent-encoded.
                guard (0x21...0x7E).contains(byte) else {
                    throw APIError.invalidRequest("\(field): a space, control or non-ASCII byte must be percent-encoded")
                }
                bytes.append(byte)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw APIError.invalidRequest("\(field): the percent-decoded bytes are not UTF-8")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// RFC 2046 `bchars`.
    private static func isBoundaryCharacter(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "'()+_,-./:=? ".unicodeScalars.contains(c))
    }
}

/// A header value of the form `VALUE; key=value; key="quoted value"` (RFC 9110 §5.6.6
/// parameters; `Content-Type`, `Content-Disposition`).
enum HeaderParameters {
    /// The value before the first `;` and each parameter in order, keys lowercased; a quoted
    /// value may hold `;` and `=`, and a backslash in it escapes the next character. nil when
    /// a parameter has no `=` or no name, a quoted value is not closed, or something follows
    /// a quoted value other than `;`.
    static func parse(_ header: String) -> (value: String, parameters: [(key: String, value: String)])? {
        let s = Array(header.unicodeScalars)
        var i = 0
        func skipSpace() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
        func token(upTo stops: Set<Unicode.Scalar>) -> String {
            var out = String.UnicodeScalarView()
            while i < s.count, !stops.contains(s[i]) {
                out.append(s[i])
                i += 1
            }
            return String(out).trimmingCharacters(in: .whitespaces)
        }
        let value = token(upTo: [";"])
        var parameters: [(key: String, value: String)] = []
        while i < s.count {
            i += 1  // the `;`
            skipSpace()
            if i == s.count { break }  // a trailing `;`
            let key = token(upTo: ["=", ";"]).lowercased()
            guard !key.isEmpty, i < s.count, s[i] == "=" else { return nil }
            i += 1
            skipSpace()
            if i < s.count, s[i] == "\"" {
                i += 1
                var out = String.UnicodeScalarView()
                var closed = false
                while i < s.count {
                    let c = s[i]
                    i += 1
                    if c == "\\", i < s.count {
                        out.append(s[i])
                        i += 1
                    } else if c == "\"" {
                        closed = true
                        break
                    } else {
                        out.append(c)
                    }
                }
                guard closed else { return nil }
                skipSpace()
                guard i == s.count || s[i] == ";" else { return nil }
                parameters.append((key, String(out)))
            } else {
                parameters.append((key, token(upTo: [";"])))
            }
        }
        return (value, parameters)
    }
}
