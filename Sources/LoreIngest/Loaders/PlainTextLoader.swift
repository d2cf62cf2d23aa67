import LoreCore

/// `.txt`: one document, one section. The title is a short first line set apart by a blank
/// line, or else the file name.
public struct PlainTextLoader: DocumentLoader {
    public var format: DocumentFormat { .text }
    public init() {}

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        [
            Document(
                source: input.path, path: input.path, format: .text,
                title: Self.title(of: input.text) ?? input.stem, text: input.text)
        ]
    }

    static func title(of text: String) -> String? {
        // "\r\n" is one Character, so it is a separator of its own.
        var lines = text.split(maxSplits: 2, omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .makeIterator()
        guard let first = lines.next()?.trimmingWhitespace(), !first.isEmpty, first.count <= 100 else { return nil }
        guard let second = lines.next(), second.trimmingWhitespace().isEmpty else { return nil }
        return first
    }
}
