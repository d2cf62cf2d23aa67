/// The rules for an uploaded document's name. A name is only ever a label (the stored
/// source is `upload:<name>`), never a filesystem path, yet names that look like escapes
/// are refused so that no client can make one look like a path outside its upload.
enum DocumentName {
    static let maxBytes = 512

    /// The name, or a 400 naming `field`: 1 to 512 bytes, no NUL or other control
    /// character, no backslash, not absolute (`/...`), no `.` or `..` segment, no empty segment.
    static func validate(_ name: String, field: String) throws(APIError) -> String {
        guard !name.isEmpty else { throw APIError.invalidRequest("\(field): must not be empty") }
        guard name.utf8.count <= maxBytes else {
            throw APIError.invalidRequest("\(field): longer than \(maxBytes) bytes")
        }
        if let bad = name.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || ($0.value >= 0x80 && $0.value < 0xA0) }) {
            throw APIError.invalidRequest(
                "\(field): holds the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4))")
        }
        guard !name.contains("\\") else { throw APIError.invalidRequest("\(field): must not contain a backslash") }
        guard !name.hasPrefix("/") else { throw APIError.invalidRequest("\(field): must be relative, not an absolute path (\(name))") }
        for segment in name.split(separator: "/", omittingEmptySubsequences: false) {
            if segment == ".." || segment == "." { throw APIError.invalidRequest("\(field): must not contain a . or .. segment (\(name))") }
            if segment.isEmpty { throw APIError.invalidRequest("\(field): must not contain an empty segment (\(name))") }
        }
        return name
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
