import Foundation
import LoreCore

/// The body of `POST /v1/embeddings`, as OpenAI's:
///
/// ```json
/// {"model": "all-MiniLM-L6-v2", "input": "text" | ["t1", "t2"], "encoding_format": "float" | "base64",
///  "dimensions": 384, "user": "u1", "lore": {"collection": "default"}}
/// ```
/// `model` is the collection's embedder (its model id, or `lore-embed`); `input` one
/// non-empty string or up to `maxInputs` of them (token-id arrays are refused);
/// `dimensions`, when given, must be the model's; `user` is accepted and ignored; the `lore`
/// extension names the collection whose embedder to use (the default one otherwise).
struct EmbeddingsRequest {
    static let names: Set<String> = ["model", "input", "encoding_format", "dimensions", "user", "lore"]
    static let extensionNames: Set<String> = ["collection"]
    /// The most texts one request may embed.
    static let maxInputs = 256

    enum Encoding: String { case float, base64 }

    var model: String
    var inputs: [String]
    var encoding: Encoding
    var dimensions: Int?

    /// The collection the `lore` extension names (nil: the server's default).
    static func collection(_ body: JSONFields) throws(APIError) -> CollectionName? {
        try body.object("lore", allowed: extensionNames)?.string("collection").map { CollectionName(name: $0, field: "lore.collection") }
    }

    init(_ body: JSONFields) throws(APIError) {
        guard let model = try body.string("model"), !model.isEmpty else { throw APIError.invalidRequest("model: required") }
        self.model = model
        inputs = try Self.inputs(body)
        let format = try body.string("encoding_format") ?? "float"
        guard let encoding = Encoding(rawValue: format) else {
            throw APIError.invalidRequest("encoding_format: must be float or base64, not \(format)")
        }
        self.encoding = encoding
        dimensions = try body.int("dimensions", in: 1...100_000)
        _ = try body.string("user")
    }

    static func inputs(_ body: JSONFields) throws(APIError) -> [String] {
        let tokenIDs = "input: token-id arrays are not supported; send the text"
        let texts: [String]
        switch body.values["input"] {
        case nil, .null?: throw APIError.invalidRequest("input: required")
        case .string(let s)?: texts = [s]
        case .array(let items)?:
            guard !items.isEmpty else { throw APIError.invalidRequest("input: must not be empty") }
            guard items.count <= maxInputs else {
                throw APIError.invalidRequest("input: at most \(maxInputs) texts per request, got \(items.count)")
            }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                switch item {
                case .string(let s): out.append(s)
                case .number, .array: throw APIError.invalidRequest(tokenIDs)
                default: throw APIError.invalidRequest("input[\(i)]: expected a string")
                }
            }
            texts = out
        default: throw APIError.invalidRequest("input: expected a string or an array of strings")
        }
        for (i, t) in texts.enumerated() where t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw APIError.invalidRequest(
                texts.count == 1 && body.values["input"]?.stringValue != nil ? "input: must not be empty" : "input[\(i)]: must not be empty"
            )
        }
        return texts
    }
}

/// `POST /v1/embeddings`'s answer, as OpenAI's: `{"object": "list", "data": [{"object":
/// "embedding", "index", "embedding"}], "model", "usage": {"prompt_tokens", "total_tokens"}}`.
/// With `encoding_format: base64` each embedding is the base64 of its little-endian float32s.
struct EmbeddingsResponse: Encodable {
    enum Vector: Encodable {
        case float([Float])
        case base64(String)

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .float(let v): try c.encode(v)
            case .base64(let s): try c.encode(s)
            }
        }

        init(_ v: [Float], encoding: EmbeddingsRequest.Encoding) {
            switch encoding {
            case .float: self = .float(v)
            case .base64:
                var bytes = Data(capacity: v.count * 4)
                for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                self = .base64(bytes.base64EncodedString())
            }
        }
    }

    struct Item: Encodable {
        var object = "embedding"
        var index: Int
        var embedding: Vector
    }

    struct Usage: Encodable {
        var promptTokens: Int
        var totalTokens: Int
        enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", totalTokens = "total_tokens" }
    }

    var object = "list"
    var data: [Item]
    var model: String
    var usage: Usage
}
