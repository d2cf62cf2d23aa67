import LoreCore

/// One validation finding: which file, which check, and what happened to the document.
public struct Finding: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable {
        /// The document was ingested anyway (e.g. repaired text).
        case warning
        /// The document was not ingested.
        case rejected
    }
    public var path: String
    public var check: String
    public var severity: Severity
    public var message: String

    public init(path: String, check: String, severity: Severity, message: String) {
        self.path = path
        self.check = check
        self.severity = severity
        self.message = message
    }
}

/// Validation settings.
public struct ValidationOptions: Sendable, Equatable {
    /// Files larger than this are not read (default 50 MB).
    public var maxFileBytes: Int
    /// Documents with fewer non-whitespace characters are rejected (default 10).
    public var minCharacters: Int
    /// Invalid UTF-8 is repaired (U+FFFD) with a warning, or the file is rejected.
    public var rejectInvalidUTF8: Bool

    public init(maxFileBytes: Int = 50 * 1024 * 1024, minCharacters: Int = 10, rejectInvalidUTF8: Bool = false) {
        self.maxFileBytes = maxFileBytes
        self.minCharacters = minCharacters
        self.rejectInvalidUTF8 = rejectInvalidUTF8
    }
}

/// Checks, in the spirit of Great Expectations, that each document is worth storing.
/// Duplicates are checked by the store, inside the write transaction.
public struct Validator: Sendable {
    public var options: ValidationOptions

    public init(options: ValidationOptions = ValidationOptions()) { self.options = options }

    /// Findings for `document`; any `.rejected` finding means it is not stored.
    public func check(_ document: Document) -> [Finding] {
        let label = document.source
        var nonWhitespace = 0
        for s in document.text.unicodeScalars where !s.properties.isWhitespace {
            nonWhitespace += 1
            if nonWhitespace >= options.minCharacters { break }
        }
        if nonWhitespace == 0 {
            return [Finding(path: label, check: "empty", severity: .rejected, message: "no text (empty or whitespace only)")]
        }
        if nonWhitespace < options.minCharacters {
            return [
                Finding(
                    path: label, check: "too-short", severity: .rejected,
                    message: "only \(nonWhitespace) characters of text (minimum \(options.minCharacters))")
            ]
        }
        return []
    }

    /// Decodes `data` as UTF-8, repairing (with a warning) or rejecting invalid sequences.
    public func decode(_ data: [UInt8], path: String) -> (text: String?, findings: [Finding]) {
        if let valid = String(validating: data, as: UTF8.self) { return (valid, []) }
        let repaired = String(decoding: data, as: UTF8.self)
        let invalid = repaired.unicodeScalars.reduce(0) { $1 == "\u{FFFD}" ? $0 + 1 : $0 }
        if options.rejectInvalidUTF8 {
            return (nil, [Finding(path: path, check: "invalid-utf8", severity: .rejected, message: "\(invalid) invalid UTF-8 sequences")])
        }
        return (
            repaired,
            [
                Finding(
                    path: path, check: "invalid-utf8", severity: .warning,
                    message: "\(invalid) invalid UTF-8 sequences replaced with U+FFFD")
            ]
        )
    }
}
