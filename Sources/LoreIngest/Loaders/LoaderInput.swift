import LoreCore

/// What a loader is given: the file, its bytes and, for text formats, the decoded text.
public struct LoaderInput: Sendable {
    /// The file's path, as stored in the documents' `source`.
    public var path: String
    public var data: [UInt8]
    /// The text, decoded as UTF-8 (invalid sequences replaced by U+FFFD), without a leading
    /// byte order mark.
    public var text: String
    public var options: LoadOptions

    public init(path: String, data: [UInt8], text: String, options: LoadOptions) {
        self.path = path
        self.data = data
        // A BOM would otherwise hide a first heading, a first CSV column name or a JSON value.
        self.text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.options = options
    }

    /// The file name without its directory.
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The file name without its extension, as a fallback title.
    public var stem: String {
        let name = fileName
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

/// Turns one file into documents. One type per format.
public protocol DocumentLoader: Sendable {
    /// The format this loader produces.
    var format: DocumentFormat { get }
    /// Whether the loader reads the decoded text (and so needs text, not binary, content).
    var readsText: Bool { get }
    func load(_ input: LoaderInput) throws(LoadError) -> [Document]
}

extension DocumentLoader {
    public var readsText: Bool { true }
}
