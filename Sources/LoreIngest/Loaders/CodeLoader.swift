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
        "java": "java", "rb": "ruby", "sh": "shell", "bash": "shell", "sql": "sql"
    ]

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        let ext = input.fileName.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let language = Self.languages[ext] ?? Self.shebangLanguage(input.text) ?? "text"
        return [
            Document(
                source: input.path, path: input.path, format: .code, title: input.fileName,
                text: input.text, metadata: ["language": .string(language)])
        ]
    }

    /// The language of a `#!` line's interpreter (`#!/usr/bin/env python3` is python); a
    /// shebang naming anything else is taken for a shell script.
    static func shebangLanguage(_ text: String) -> String? {
        guard text.hasPrefix("#!") else { return nil }
        let line = text.dropFirst(2).prefix(while: { $0 != "\n" && $0 != "\r\n" })
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.split(separator: "/").last.map(String.init) ?? "" }
        if words.first == "env" { words = words.dropFirst().filter { !$0.hasPrefix("-") } }
        let interpreter = (words.first ?? "").lowercased()
        let interpreters: [(prefix: String, language: String)] = [
            ("python", "python"), ("node", "javascript"), ("ruby", "ruby"), ("swift", "swift")
        ]
        return interpreters.first { interpreter.hasPrefix($0.prefix) }?.language ?? "shell"
    }
}
