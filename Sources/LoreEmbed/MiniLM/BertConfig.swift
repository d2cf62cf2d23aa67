import Foundation
import LoreCore

/// The parts of a BERT `config.json` the encoder needs.
public struct BertConfig: Sendable, Equatable {
    public var hiddenSize = 384
    public var layers = 6
    public var heads = 12
    public var intermediateSize = 1536
    public var vocabSize = 30522
    public var maxPositions = 512
    public var typeVocabSize = 2
    public var layerNormEps: Float = 1e-12

    public var headSize: Int { hiddenSize / heads }

    public init() {}

    /// Reads `config.json`, refusing activations and embeddings the encoder does not implement.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafeTensors.FormatError(description: "cannot read \(path): run scripts/fetch-models")
        }
        let json: JSONValue
        do { json = try data.withUnsafeBytes { try JSONParser.parse($0.bindMemory(to: UInt8.self)) } } catch {
            throw SafeTensors.FormatError(description: "\(path): \(error)")
        }
        guard case .object(let o, _) = json else { throw SafeTensors.FormatError(description: "\(path) is not a JSON object") }
        func int(_ k: String) -> Int? { if case .number(let n)? = o[k] { return Int(n) } else { return nil } }
        hiddenSize = int("hidden_size") ?? hiddenSize
        layers = int("num_hidden_layers") ?? layers
        heads = int("num_attention_heads") ?? heads
        intermediateSize = int("intermediate_size") ?? intermediateSize
        vocabSize = int("vocab_size") ?? vocabSize
        maxPositions = int("max_position_embeddings") ?? maxPositions
        typeVocabSize = int("type_vocab_size") ?? typeVocabSize
        if case .number(let e)? = o["layer_norm_eps"] { layerNormEps = Float(e) }
        if let act = o["hidden_act"]?.stringValue, act != "gelu" {
            throw SafeTensors.FormatError(description: "\(path): hidden_act \(act) is not supported (only gelu)")
        }
        if let pos = o["position_embedding_type"]?.stringValue, pos != "absolute" {
            throw SafeTensors.FormatError(description: "\(path): position_embedding_type \(pos) is not supported")
        }
        guard hiddenSize % heads == 0 else {
            throw SafeTensors.FormatError(description: "\(path): hidden_size is not a multiple of num_attention_heads")
        }
    }
}

/// The weights of a BERT encoder, viewed in the mapped safetensors file; only the fused
/// query-key-value projection of each layer is copied (into one [3H × H] matrix). With
/// `half`, the four linear weights of every layer are also kept in `Float16` (half the
/// bytes, 21 MB for MiniLM), which queries' few-row products read instead (`BertEncoder`).
public final class BertWeights: @unchecked Sendable {
    public struct Layer {
        var qkvWeight: [Float]  // [3H, H]: query, key, value rows
        var qkvBias: [Float]  // [3H]
        var attentionOut: UnsafeBufferPointer<Float>, attentionOutBias: UnsafeBufferPointer<Float>
        var attentionNormWeight: UnsafeBufferPointer<Float>, attentionNormBias: UnsafeBufferPointer<Float>
        var intermediate: UnsafeBufferPointer<Float>, intermediateBias: UnsafeBufferPointer<Float>
        var output: UnsafeBufferPointer<Float>, outputBias: UnsafeBufferPointer<Float>
        var outputNormWeight: UnsafeBufferPointer<Float>, outputNormBias: UnsafeBufferPointer<Float>
        /// `Float16` copies of qkvWeight, attentionOut, intermediate and output; empty
        /// without `half`, or with the bf16 kernel.
        var qkvHalf: [Float16] = [], attentionOutHalf: [Float16] = [], intermediateHalf: [Float16] = [], outputHalf: [Float16] = []
        /// The same four packed for the AMX tiles; nil unless the kernel is bf16.
        var qkvTiles: TileWeights?, attentionOutTiles: TileWeights?, intermediateTiles: TileWeights?, outputTiles: TileWeights?
    }

    public let config: BertConfig
    /// How the linear layers multiply.
    public let kernel: EncoderKernel
    let file: SafeTensors
    let wordEmbeddings: UnsafeBufferPointer<Float>
    let positionEmbeddings: UnsafeBufferPointer<Float>
    let typeEmbeddings: UnsafeBufferPointer<Float>
    let embeddingNormWeight: UnsafeBufferPointer<Float>
    let embeddingNormBias: UnsafeBufferPointer<Float>
    let layers: [Layer]

    /// Whether a `Float16` copy is made by default: not with `LORE_EMBED_HALF=0`.
    public static let defaultHalf: Bool = BertEncoder.defaultHalfProductRows > 0

    /// - Parameter kernel: `.bf16` packs the linear weights for the AMX tiles (and makes no
    ///   `Float16` copy: every product then runs on the tiles); it must be available. A model
    ///   whose hidden or intermediate size is not a multiple of 32 (the tiles' width) runs
    ///   fp32 instead, and `kernel` says so.
    public init(file: SafeTensors, config: BertConfig, half: Bool = BertWeights.defaultHalf, kernel: EncoderKernel = .fp32) throws {
        guard kernel.available else { throw EncoderKernel.KernelError(description: "the \(kernel) kernel is not available on this CPU") }
        let h = config.hiddenSize, i = config.intermediateSize
        self.file = file
        self.config = config
        let tiles = kernel == .bf16 && h % 32 == 0 && i % 32 == 0
        self.kernel = tiles ? .bf16 : .fp32
        // Checkpoints exported from BertModel may carry a "bert." prefix.
        let prefix = file.tensors["embeddings.word_embeddings.weight"] != nil ? "" : "bert."
        func t(_ name: String, _ shape: [Int]) throws -> UnsafeBufferPointer<Float> { try file.float32(prefix + name, shape: shape) }
        wordEmbeddings = try t("embeddings.word_embeddings.weight", [config.vocabSize, h])
        positionEmbeddings = try t("embeddings.position_embeddings.weight", [config.maxPositions, h])
        typeEmbeddings = try t("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h])
        embeddingNormWeight = try t("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try t("embeddings.LayerNorm.bias", [h])
        layers = try (0..<config.layers).map { n in
            let p = "encoder.layer.\(n)."
            let q = try t(p + "attention.self.query.weight", [h, h]), k = try t(p + "attention.self.key.weight", [h, h])
            let v = try t(p + "attention.self.value.weight", [h, h])
            let qb = try t(p + "attention.self.query.bias", [h]), kb = try t(p + "attention.self.key.bias", [h])
            let vb = try t(p + "attention.self.value.bias", [h])
            var layer = Layer(
                qkvWeight: Array(q) + Array(k) + Array(v), qkvBias: Array(qb) + Array(kb) + Array(vb),
                attentionOut: try t(p + "attention.output.dense.weight", [h, h]),
                attentionOutBias: try t(p + "attention.output.dense.bias", [h]),
                attentionNormWeight: try t(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBias: try t(p + "attention.output.LayerNorm.bias", [h]),
                intermediate: try t(p + "intermediate.dense.weight", [i, h]), intermediateBias: try t(p + "intermediate.dense.bias", [i]),
                output: try t(p + "output.dense.weight", [h, i]), outputBias: try t(p + "output.dense.bias", [h]),
                outputNormWeight: try t(p + "output.LayerNorm.weight", [h]), outputNormBias: try t(p + "output.LayerNorm.bias", [h]))
            if tiles {
                layer.qkvTiles = layer.qkvWeight.withUnsafeBufferPointer { TileWeights($0, n: 3 * h, k: h) }
                layer.attentionOutTiles = TileWeights(layer.attentionOut, n: h, k: h)
                layer.intermediateTiles = TileWeights(layer.intermediate, n: i, k: h)
                layer.outputTiles = TileWeights(layer.output, n: h, k: i)
            } else if half {
                layer.qkvHalf = layer.qkvWeight.withUnsafeBufferPointer { SmallGEMM.half($0) }
                layer.attentionOutHalf = SmallGEMM.half(layer.attentionOut)
                layer.intermediateHalf = SmallGEMM.half(layer.intermediate)
                layer.outputHalf = SmallGEMM.half(layer.output)
            }
            return layer
        }
    }
}
