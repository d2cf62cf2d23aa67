import LoreCore

/// Source code (`.swift .py .js .ts .go .rs .c .h .cpp .java .rb .sh .sql` and a few
/// relatives): one document, the language in metadata. The chunker splits code at
/// top-level declarations and blank lines first.
public struct CodeLoader: DocumentLoader {
    public var format: DocumentFormat { .code }
    public init() {}

    /// File extension to language name.
    public static let languages: [String: String] = [
        "swift": "swift", "py": "python", "js": "javascript", "mjs": "javascript", "ts": "typescript",
        "go": "go", "rs": "rust", "c": "c", "h": "c", "cpp": "cpp", "cc": "cpp", "hpp": "cpp",
        "java": "java", "rb": "ruby", "sh": "shell", "bash": "shell", "sql": "sql",
    ]

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        let ext = input.fileName.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let language = Self.languages[ext] ?? (input.text.hasPrefix("#!") ? "shell" : "text")
        return [Document(source: input.path, path: input.path, format: .code, title: input.fileName,
                         text: input.text, metadata: ["language": .string(language)])]
    }
}
