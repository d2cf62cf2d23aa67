import Foundation
import LoreCore
import LoreIngest
import LoreTestSupport

/// Documents for the chunker's property tests: generated prose, code, unicode and markdown,
/// documents with synthetic sections, edge cases, and the demo corpus.
enum GeneratedDocuments {
    /// Whether poppler's `pdftotext` is on the PATH (the PDF loader needs it).
    static let hasPdftotext: Bool =
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/pdftotext") }

    static let all: [Document] = {
        var rng = SeededRandom(seed: 0x10E_C0DE)
        var docs: [Document] = []
        for n in 0..<36 { docs.append(prose(&rng, n)) }
        for n in 0..<12 { docs.append(code(&rng, n)) }
        for n in 0..<16 { docs.append(markdown(&rng, n)) }
        for n in 0..<12 { docs.append(withSections(&rng, n)) }
        docs += edgeCases
        docs += corpus
        return docs
    }()

    // MARK: Words

    static let common = [
        "the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are",
        "with", "as", "they", "be", "at", "one", "have", "this", "from", "by", "hot", "word", "but",
        "what", "some", "retrieval", "embedding", "vector", "index", "chunk", "token", "boundary",
        "sentence", "paragraph", "document", "SQLite", "WordPiece", "tokenizer", "unaffable"
    ]
    static let accented = [
        "café", "naïve", "résumé", "Zürich", "São", "façade", "Ærøskøbing", "crème brûlée", "Ελλάδα",
        "Москва", "İstanbul", "straße", "Ångström", "coöperate", "piñata"
    ]
    static let cjk = ["中文字符测试", "日本語のテキスト", "한국어 문장", "東京大学", "水火山", "你好世界"]
    static let symbols = [
        "😀", "👍🏽", "🇫🇷", "½", "™", "x²", "→", "«quote»", "¿Qué?", "—", "…", "$100", "C++", "3.14", "1,000,000", "e-mail", "U.S.A.", "don't"
    ]
    static let urls = [
        "https://example.com/a/b/c?x=1&y=2#frag", "http://sub.domain.org/path_with_underscores/index.html",
        "mailto:someone@example.com", "ftp://files.example.net/pub/2024/archive.tar.gz",
        "https://en.wikipedia.org/wiki/Recursive_descent_parser#Example_parser"
    ]

    static func word(_ rng: inout SeededRandom) -> String {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<62: return common.randomElement(using: &rng)!
        case 62..<72: return accented.randomElement(using: &rng)!
        case 72..<78: return cjk.randomElement(using: &rng)!
        case 78..<86: return symbols.randomElement(using: &rng)!
        case 86..<90: return urls.randomElement(using: &rng)!
        case 90..<94: return longWord(&rng)
        case 94..<97: return String(Int.random(in: 0..<1_000_000, using: &rng))
        default: return "**" + common.randomElement(using: &rng)! + "**"
        }
    }

    /// Words that tokenise to many pieces, or to one [UNK] when over 100 characters.
    static func longWord(_ rng: inout SeededRandom) -> String {
        let length = [12, 25, 40, 99, 101, 180, 400].randomElement(using: &rng)!
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return String((0..<length).map { _ in "bcdfghjklmnpqrstvwxz".randomElement(using: &rng)! })
        case 1: return String(repeating: "ab", count: length / 2)
        case 2: return (0..<max(1, length / 6)).map { _ in common.randomElement(using: &rng)! }.joined(separator: "-")
        default: return String((0..<length).map { _ in "0123456789".randomElement(using: &rng)! })
        }
    }

    static func sentence(_ rng: inout SeededRandom) -> String {
        let n = Int.random(in: 3..<25, using: &rng)
        var words = (0..<n).map { _ in word(&rng) }
        words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst()
        let separators = [" ", " ", " ", " ", " ", ", ", "  ", "\t", "\u{00A0}", " (", ") "]
        var s = words[0]
        for w in words.dropFirst() { s += separators.randomElement(using: &rng)! + w }
        return s + [".", ".", ".", "!", "?", ".\"", ")."].randomElement(using: &rng)!
    }

    static func paragraph(_ rng: inout SeededRandom) -> String {
        let lineEnd = Int.random(in: 0..<5, using: &rng) == 0 ? "\n" : " "
        return (0..<Int.random(in: 1..<9, using: &rng)).map { _ in sentence(&rng) }.joined(separator: lineEnd)
    }

    static func proseText(_ rng: inout SeededRandom, paragraphs: Int) -> String {
        (0..<paragraphs).map { _ in paragraph(&rng) }.joined(
            separator: ["\n\n", "\n\n", "\n\n\n", "\r\n\r\n", "\n \n"].randomElement(using: &rng)!)
    }

    // MARK: Documents

    static func prose(_ rng: inout SeededRandom, _ n: Int) -> Document {
        let text = proseText(&rng, paragraphs: Int.random(in: 1..<25, using: &rng))
        return Document(source: "prose-\(n)", path: nil, format: .text, title: "prose \(n)", text: text)
    }

    static func code(_ rng: inout SeededRandom, _ n: Int) -> Document {
        var text = "import Foundation\n\n"
        for f in 0..<Int.random(in: 1..<30, using: &rng) {
            let name = common.randomElement(using: &rng)! + "\(f)"
            text += "/// \(sentence(&rng))\nfunc \(name)(_ a: Int, b: [String: Int]) -> Int {\n"
            for l in 0..<Int.random(in: 1..<15, using: &rng) {
                let indent = String(repeating: "    ", count: 1 + l % 3)
                text +=
                    indent + [
                        "let x\(l) = a * \(l) + b[\"\(name)\", default: 0]", "if x > \(l) { return x }",
                        "print(\"\(word(&rng)) \\(a)\") // \(word(&rng))", "}", "for i in 0..<\(l) { total += i }",
                        "let url = \"\(urls.randomElement(using: &rng)!)\""
                    ].randomElement(using: &rng)! + "\n"
                if Int.random(in: 0..<6, using: &rng) == 0 { text += "\n" }
            }
            text += "}\n\n"
        }
        return Document(source: "code-\(n).swift", path: nil, format: .code, title: "code \(n)", text: text)
    }

    /// Markdown, sectioned by the real loader.
    static func markdown(_ rng: inout SeededRandom, _ n: Int) -> Document {
        var text = Int.random(in: 0..<2, using: &rng) == 0 ? "" : proseText(&rng, paragraphs: 1) + "\n\n"
        for _ in 0..<Int.random(in: 1..<12, using: &rng) {
            let level = Int.random(in: 1...4, using: &rng)
            text += String(repeating: "#", count: level) + " " + (0..<3).map { _ in word(&rng) }.joined(separator: " ") + "\n\n"
            if Int.random(in: 0..<4, using: &rng) > 0 { text += proseText(&rng, paragraphs: Int.random(in: 0..<6, using: &rng)) + "\n\n" }
            if Int.random(in: 0..<5, using: &rng) == 0 { text += "```\n# not a heading\nlet x = 1\n```\n\n" }
            if Int.random(in: 0..<6, using: &rng) == 0 { text += "- " + sentence(&rng) + "\n- " + sentence(&rng) + "\n\n" }
        }
        let input = LoaderInput(path: "gen-\(n).md", data: Array(text.utf8), text: text, options: LoadOptions())
        return try! MarkdownLoader().load(input)[0]
    }

    /// Prose cut into sections at random line starts, with random heading paths and pages.
    static func withSections(_ rng: inout SeededRandom, _ n: Int) -> Document {
        let text = proseText(&rng, paragraphs: Int.random(in: 3..<20, using: &rng))
        let utf8 = Array(text.utf8)
        var cuts = Set([0, utf8.count])
        for (i, b) in utf8.enumerated() where b == 0x0A && Int.random(in: 0..<3, using: &rng) == 0 { cuts.insert(i + 1) }
        let bounds = cuts.sorted()
        let sections = zip(bounds, bounds.dropFirst()).enumerated().map { k, r in
            Section(headingPath: k % 3 == 0 ? [] : ["Part \(k / 3)", "Section \(k)"], range: r.0..<r.1, page: n % 2 == 0 ? k + 1 : nil)
        }
        return Document(source: "sections-\(n)", path: nil, format: .pdf, title: "sections \(n)", text: text, sections: sections)
    }

    static var edgeCases: [Document] {
        var rng = SeededRandom(seed: 99)
        let texts = [
            "", "   \n\n\t  ", "word", "Hello, World!",
            String(repeating: "a", count: 5000),  // one huge word: one [UNK]
            String(repeating: "a.", count: 1500),  // 3000 glued punctuation pre-tokens
            String(repeating: "中文字符", count: 500),  // 2000 CJK characters, no spaces
            String(repeating: "word ", count: 2000),  // 2000 words, one line
            String(repeating: "line\n", count: 1500),  // 1500 lines
            String(repeating: "Sentence here. ", count: 800),  // many sentences
            (0..<200).map { _ in urls.randomElement(using: &rng)! }.joined(separator: " "),
            (0..<300).map { _ in longWord(&rng) }.joined(separator: " "),
            String(repeating: "ab", count: 40) + String(repeating: "-x", count: 500),
            "\n\n\nleading and trailing blank lines\n\n\n"
        ]
        return texts.enumerated().map { Document(source: "edge-\($0)", path: nil, format: .text, title: "edge", text: $1) }
    }

    /// Every file of the demo corpus, through the real loaders (PDFs only where pdftotext runs).
    static var corpus: [Document] {
        let registry = LoaderRegistry()
        let fm = FileManager.default
        guard let files = fm.enumerator(atPath: TestPaths.corpus)?.compactMap({ $0 as? String }) else { return [] }
        var docs: [Document] = []
        for relative in files.sorted() {
            let path = TestPaths.corpus + "/" + relative
            guard let data = fm.contents(atPath: path).map({ [UInt8]($0) }),
                case .success(let loader) = registry.loader(fileName: relative, head: data.prefix(1024))
            else { continue }
            let text = loader.readsText ? String(decoding: data, as: UTF8.self) : ""
            if let loaded = try? loader.load(LoaderInput(path: path, data: data, text: text, options: LoadOptions())) { docs += loaded }
        }
        return docs
    }
}
