import Foundation
import LoreCore
import LoreTestSupport

/// Reference outputs of Hugging Face's tokenizer and sentence-transformers, made by
/// `scripts/reference/make_*.py` and committed under `Tests/Fixtures/`.
enum ReferenceFixtures {
    struct TokenizerCase { var text: String; var ids: [Int32] }
    struct EmbeddingCase { var text: String; var tokens: Int; var embedding: [Float] }

    static func lines(_ name: String) -> [JSONValue] {
        let path = TestPaths.repositoryRoot + "/Tests/Fixtures/" + name
        guard let data = FileManager.default.contents(atPath: path) else { fatalError("missing fixture \(path)") }
        // The files escape every non-ASCII character, so splitting on "\n" is safe.
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            do { return try JSONParser.parse(String(line)) } catch { fatalError("\(name): \(error)") }
        }
    }

    static func numbers(_ v: JSONValue?) -> [Double] {
        guard case .array(let items)? = v else { return [] }
        return items.compactMap { if case .number(let n) = $0 { return n } else { return nil } }
    }

    static let tokenizerCases: [TokenizerCase] = lines("tokenizer/cases.jsonl").map {
        guard case .object(let o, _) = $0 else { fatalError("bad tokenizer case") }
        return TokenizerCase(text: o["text"]?.stringValue ?? "", ids: numbers(o["ids"]).map { Int32($0) })
    }

    static let embeddingCases: [EmbeddingCase] = lines("embeddings/reference.jsonl").map {
        guard case .object(let o, _) = $0 else { fatalError("bad embedding case") }
        guard case .number(let t)? = o["tokens"] else { fatalError("bad embedding case") }
        return EmbeddingCase(text: o["text"]?.stringValue ?? "", tokens: Int(t), embedding: numbers(o["embedding"]).map { Float($0) })
    }
}
