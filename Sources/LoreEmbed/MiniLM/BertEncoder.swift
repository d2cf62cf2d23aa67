import Foundation

/// The BERT encoder forward pass on BLAS, over packed sequences: the tokens of every
/// sequence in a batch lie end to end with no padding, so no work is spent on pad tokens;
/// only attention looks at sequence boundaries (each sequence attends to itself alone,
/// which is exactly what the padding mask achieves in Hugging Face's implementation).
public struct BertEncoder: Sendable {
    public let weights: BertWeights

    public init(weights: BertWeights) { self.weights = weights }

    /// Mean-pooled (not yet normalised) embeddings of `sequences` (token ids with
    /// `[CLS]`/`[SEP]`, each at most `maxPositions` long).
    public func meanPooled(_ sequences: [[Int32]]) -> [[Float]] {
        let c = weights.config
        let h = c.hiddenSize, inter = c.intermediateSize, hd = c.headSize
        let lengths = sequences.map(\.count)
        let total = lengths.reduce(0, +)
        guard total > 0 else { return sequences.map { _ in [Float](repeating: 0, count: h) } }
        let maxLen = lengths.max()!
        var offsets = [Int](repeating: 0, count: sequences.count)
        for s in 1..<max(1, sequences.count) { offsets[s] = offsets[s - 1] + lengths[s - 1] }

        let x = UnsafeMutablePointer<Float>.allocate(capacity: total * h)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: total * h)
        let ctx = UnsafeMutablePointer<Float>.allocate(capacity: total * h)
        let qkv = UnsafeMutablePointer<Float>.allocate(capacity: total * 3 * h)
        let mid = UnsafeMutablePointer<Float>.allocate(capacity: total * inter)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: maxLen * maxLen)
        let inverseSums = UnsafeMutablePointer<Float>.allocate(capacity: maxLen)
        defer { x.deallocate(); y.deallocate(); ctx.deallocate(); qkv.deallocate(); mid.deallocate(); scores.deallocate(); inverseSums.deallocate() }

        // Embeddings: word + position + token type 0, then LayerNorm.
        let word = weights.wordEmbeddings.baseAddress!, pos = weights.positionEmbeddings.baseAddress!
        let type0 = weights.typeEmbeddings.baseAddress!
        for (s, seq) in sequences.enumerated() {
            for (p, id) in seq.enumerated() {
                let row = x + (offsets[s] + p) * h
                let w = word + Int(id) * h, e = pos + p * h
                for j in 0..<h { row[j] = w[j] + e[j] + type0[j] }
            }
        }
        Kernels.addLayerNorm(x, residual: nil, rows: total, n: h, weight: weights.embeddingNormWeight.baseAddress!,
                             bias: weights.embeddingNormBias.baseAddress!, eps: c.layerNormEps)

        let scale = 1 / Float(hd).squareRoot()
        for layer in weights.layers {
            // Q, K, V in one GEMM: qkv[T, 3H] = x · Wqkvᵀ + b.
            layer.qkvWeight.withUnsafeBufferPointer { w in
                BLAS.gemm(m: total, n: 3 * h, k: h, a: x, lda: h, b: w.baseAddress!, ldb: h, transB: true, c: qkv, ldc: 3 * h)
            }
            layer.qkvBias.withUnsafeBufferPointer { Kernels.addBias(qkv, rows: total, n: 3 * h, bias: $0.baseAddress!) }
            // Attention per sequence and head.
            for s in 0..<sequences.count {
                let n = lengths[s], base = qkv + offsets[s] * 3 * h
                for head in 0..<c.heads {
                    let q = base + head * hd, k = base + h + head * hd, v = base + 2 * h + head * hd
                    BLAS.gemm(m: n, n: n, k: hd, alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h, transB: true, c: scores, ldc: n)
                    // softmax(S)·V = diag(1/Σ) · (e^(S - max) · V): normalise the n × d product.
                    Kernels.expRows(scores, rows: n, n: n, ld: n, inverseSums: inverseSums)
                    let out = ctx + offsets[s] * h + head * hd
                    BLAS.gemm(m: n, n: hd, k: n, a: scores, lda: n, b: v, ldb: 3 * h, transB: false, c: out, ldc: h)
                    Kernels.scaleRows(out, rows: n, n: hd, ld: h, scale: inverseSums)
                }
            }
            // Attention output, residual, LayerNorm.
            BLAS.gemm(m: total, n: h, k: h, a: ctx, lda: h, b: layer.attentionOut.baseAddress!, ldb: h, transB: true, c: y, ldc: h)
            Kernels.addBias(y, rows: total, n: h, bias: layer.attentionOutBias.baseAddress!)
            Kernels.addLayerNorm(y, residual: x, rows: total, n: h, weight: layer.attentionNormWeight.baseAddress!,
                                 bias: layer.attentionNormBias.baseAddress!, eps: c.layerNormEps)
            // Feed-forward: GELU(y · W1ᵀ + b1) · W2ᵀ + b2, residual, LayerNorm, back into x.
            BLAS.gemm(m: total, n: inter, k: h, a: y, lda: h, b: layer.intermediate.baseAddress!, ldb: h, transB: true, c: mid, ldc: inter)
            Kernels.addBiasGELU(mid, rows: total, n: inter, bias: layer.intermediateBias.baseAddress!)
            BLAS.gemm(m: total, n: h, k: inter, a: mid, lda: inter, b: layer.output.baseAddress!, ldb: inter, transB: true, c: x, ldc: h)
            Kernels.addBias(x, rows: total, n: h, bias: layer.outputBias.baseAddress!)
            Kernels.addLayerNorm(x, residual: y, rows: total, n: h, weight: layer.outputNormWeight.baseAddress!,
                                 bias: layer.outputNormBias.baseAddress!, eps: c.layerNormEps)
        }

        // Mean pooling over each sequence's tokens (all real: there is no padding).
        return (0..<sequences.count).map { s in
            var out = [Float](repeating: 0, count: h)
            let n = lengths[s]
            for p in 0..<n {
                let row = x + (offsets[s] + p) * h
                for j in 0..<h { out[j] += row[j] }
            }
            let inv = 1 / Float(max(n, 1))
            for j in 0..<h { out[j] *= inv }
            return out
        }
    }
}
