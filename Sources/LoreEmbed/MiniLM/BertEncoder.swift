import Foundation
import LoreBLAS

/// The BERT encoder forward pass on BLAS, over packed sequences: the tokens of every
/// sequence in a batch lie end to end with no padding, so no work is spent on pad tokens;
/// only attention looks at sequence boundaries (each sequence attends to itself alone,
/// which is exactly what the padding mask achieves in Hugging Face's implementation).
public struct BertEncoder: Sendable {
    public let weights: BertWeights
    /// Rows (tokens per thread) up to which the linear layers run on `SmallGEMM` rather than
    /// BLAS, whose packing of the weights costs more than the product for a few rows.
    public var smallProductRows: Int
    /// Rows up to which the linear layers read the weights' `Float16` copy (where
    /// `weights` has one) on `SmallGEMM`: products and sums stay in `Float`, but each query
    /// streams half the bytes. Takes precedence over `smallProductRows`; 0 turns it off.
    public var halfProductRows: Int

    public init(
        weights: BertWeights, smallProductRows: Int = BertEncoder.defaultSmallProductRows,
        halfProductRows: Int = BertEncoder.defaultHalfProductRows
    ) {
        self.weights = weights
        self.smallProductRows = smallProductRows
        self.halfProductRows = halfProductRows
    }

    /// The default crossover (`LORE_EMBED_SMALL_GEMM` overrides it; 0 means BLAS always).
    /// Measured on the model's 24 products (SmallGEMMBenchmark, one Sapphire Rapids core):
    /// SmallGEMM takes 1.8 ms at M = 1, 3.0 at 4, 4.5 at 8 against BLAS's 2.7, 5.1, 6.1; they
    /// meet at M = 16 (7.3 ms each) and BLAS is ahead from 24 rows on (8.3 against 10).
    public static let defaultSmallProductRows: Int =
        ProcessInfo.processInfo.environment["LORE_EMBED_SMALL_GEMM"].flatMap { Int($0) } ?? 16

    /// The default for `halfProductRows` (`LORE_EMBED_HALF` overrides it; 0 turns the
    /// `Float16` path off, and no copy of the weights is made). Measured end to end (`lore
    /// bench retrieval --mode dense`, one thread, embed p50): 6-token queries 5.3 → 4.1 ms,
    /// 17-24 tokens 9.5 → 7.6 ms (against BLAS), but ~35 tokens 11.5 → 13 ms, and ~60 tokens
    /// 16.5 → 23 ms: BLAS is ahead from about 32 rows on. Embeddings stay within cosine
    /// 0.9999994 of the `Float` ones (SmallGEMMTests).
    public static let defaultHalfProductRows: Int =
        ProcessInfo.processInfo.environment["LORE_EMBED_HALF"].flatMap { Int($0) } ?? 24

    /// `c[m × n] += a[m × k] · wᵀ` with `w` as `[n × k]` (beta 1: `c` holds the bias, and
    /// the residual where there is one).
    @inline(__always)
    private func linear(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, w: UnsafePointer<Float>,
        half: [Float16], tiles: TileWeights?, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if let tiles, tiles.multiplyAdd(m: m, x: a, ldx: lda, out: c, ldo: ldc) {
            return
        } else if m <= halfProductRows, !half.isEmpty {
            half.withUnsafeBufferPointer { wh in
                SmallGEMM.multiplyAdd(m: m, n: n, k: k, x: a, ldx: lda, w: wh.baseAddress!, ldw: k, out: c, ldo: ldc)
            }
        } else if m <= smallProductRows {
            SmallGEMM.multiplyAdd(m: m, n: n, k: k, x: a, ldx: lda, w: w, ldw: k, out: c, ldo: ldc)
        } else {
            BLAS.gemm(m: m, n: n, k: k, a: a, lda: lda, b: w, ldb: k, transB: true, beta: 1, c: c, ldc: ldc)
        }
    }

    /// Mean-pooled (not yet normalised) embeddings of `sequences` (token ids with
    /// `[CLS]`/`[SEP]`, each at most `maxPositions` long). With `threads` > 1 the work of this
    /// one batch is split: matrix products and element-wise kernels by rows, attention by
    /// (sequence, head) pairs; each thread calls a single-threaded BLAS, or `SmallGEMM` for
    /// the linear layers when its share is at most `smallProductRows` rows.
    public func meanPooled(_ sequences: [[Int32]], threads: Int = 1) -> [[Float]] {
        let c = weights.config
        let h = c.hiddenSize, inter = c.intermediateSize, hd = c.headSize
        let lengths = sequences.map(\.count)
        let total = lengths.reduce(0, +)
        guard total > 0 else { return sequences.map { _ in [Float](repeating: 0, count: h) } }
        let maxLen = lengths.max()!
        var offsets = [Int](repeating: 0, count: sequences.count)
        for s in 1..<max(1, sequences.count) { offsets[s] = offsets[s - 1] + lengths[s - 1] }
        let workers = max(1, min(threads, total))

        let x = UnsafeMutablePointer<Float>.allocate(capacity: total * h)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: total * h)
        let ctx = UnsafeMutablePointer<Float>.allocate(capacity: total * h)
        let qkv = UnsafeMutablePointer<Float>.allocate(capacity: total * 3 * h)
        let mid = UnsafeMutablePointer<Float>.allocate(capacity: total * inter)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: workers * maxLen * maxLen)
        let inverseSums = UnsafeMutablePointer<Float>.allocate(capacity: workers * maxLen)
        defer {
            x.deallocate(); y.deallocate(); ctx.deallocate(); qkv.deallocate(); mid.deallocate(); scores.deallocate();
            inverseSums.deallocate()
        }
        let buffers = Buffers(x: x, y: y, ctx: ctx, qkv: qkv, mid: mid, scores: scores, inverseSums: inverseSums)

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
        Kernels.addLayerNorm(
            x, residual: nil, rows: total, n: h, weight: weights.embeddingNormWeight.baseAddress!,
            bias: weights.embeddingNormBias.baseAddress!, eps: c.layerNormEps)

        let scale = 1 / Float(hd).squareRoot()
        let pairs = sequences.count * c.heads
        for layer in weights.layers {
            let b = buffers
            // Q, K, V in one GEMM: qkv[T, 3H] = x · Wqkvᵀ + b.
            layer.qkvWeight.withUnsafeBufferPointer { w in
                layer.qkvBias.withUnsafeBufferPointer { bias in
                    Self.split(total, workers) { r in
                        // The output starts as the bias and the product is added to it (beta 1):
                        // OpenBLAS would otherwise clear it first, then Lore add the bias.
                        Kernels.fillRows(b.qkv + r.lowerBound * 3 * h, rows: r.count, n: 3 * h, bias: bias.baseAddress!, residual: nil)
                        linear(
                            m: r.count, n: 3 * h, k: h, a: b.x + r.lowerBound * h, lda: h, w: w.baseAddress!,
                            half: layer.qkvHalf, tiles: layer.qkvTiles, c: b.qkv + r.lowerBound * 3 * h, ldc: 3 * h)
                    }
                }
            }
            // Attention per sequence and head: softmax(Q·Kᵀ/√d)·V, normalised after the product.
            Self.split(pairs, workers) { r, worker in
                let sc = b.scores + worker * maxLen * maxLen, inv = b.inverseSums + worker * maxLen
                for pair in r {
                    let s = pair / c.heads, head = pair % c.heads
                    let n = lengths[s], base = b.qkv + offsets[s] * 3 * h
                    let q = base + head * hd, k = base + h + head * hd, v = base + 2 * h + head * hd
                    BLAS.gemm(m: n, n: n, k: hd, alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h, transB: true, c: sc, ldc: n)
                    Kernels.expRows(sc, rows: n, n: n, ld: n, inverseSums: inv)
                    let out = b.ctx + offsets[s] * h + head * hd
                    BLAS.gemm(m: n, n: hd, k: n, a: sc, lda: n, b: v, ldb: 3 * h, transB: false, c: out, ldc: h)
                    Kernels.scaleRows(out, rows: n, n: hd, ld: h, scale: inv)
                }
            }
            // Per row: attention output, residual, LayerNorm; then the feed-forward
            // GELU(y · W1ᵀ + b1) · W2ᵀ + b2, residual, LayerNorm, back into x.
            Self.split(total, workers) { r in
                let y = b.y + r.lowerBound * h, x = b.x + r.lowerBound * h, mid = b.mid + r.lowerBound * inter
                // Bias and residual go in first; the product is added to them (beta 1).
                Kernels.fillRows(y, rows: r.count, n: h, bias: layer.attentionOutBias.baseAddress!, residual: x)
                linear(
                    m: r.count, n: h, k: h, a: b.ctx + r.lowerBound * h, lda: h, w: layer.attentionOut.baseAddress!,
                    half: layer.attentionOutHalf, tiles: layer.attentionOutTiles, c: y, ldc: h)
                Kernels.addLayerNorm(
                    y, residual: nil, rows: r.count, n: h, weight: layer.attentionNormWeight.baseAddress!,
                    bias: layer.attentionNormBias.baseAddress!, eps: c.layerNormEps)
                Kernels.fillRows(mid, rows: r.count, n: inter, bias: layer.intermediateBias.baseAddress!, residual: nil)
                linear(
                    m: r.count, n: inter, k: h, a: y, lda: h, w: layer.intermediate.baseAddress!,
                    half: layer.intermediateHalf, tiles: layer.intermediateTiles, c: mid, ldc: inter)
                Kernels.addBiasGELU(mid, rows: r.count, n: inter, bias: nil)
                Kernels.fillRows(x, rows: r.count, n: h, bias: layer.outputBias.baseAddress!, residual: y)
                linear(
                    m: r.count, n: h, k: inter, a: mid, lda: inter, w: layer.output.baseAddress!,
                    half: layer.outputHalf, tiles: layer.outputTiles, c: x, ldc: h)
                Kernels.addLayerNorm(
                    x, residual: nil, rows: r.count, n: h, weight: layer.outputNormWeight.baseAddress!,
                    bias: layer.outputNormBias.baseAddress!, eps: c.layerNormEps)
            }
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

    /// The scratch buffers of one call, shared by its threads (each writes its own rows).
    private struct Buffers: @unchecked Sendable {
        var x, y, ctx, qkv, mid, scores, inverseSums: UnsafeMutablePointer<Float>
    }

    /// Runs `body` over `count` items cut into `workers` contiguous ranges, in parallel.
    private static func split(_ count: Int, _ workers: Int, _ body: (Range<Int>) -> Void) {
        split(count, workers) { r, _ in body(r) }
    }

    private static func split(_ count: Int, _ workers: Int, _ body: (Range<Int>, Int) -> Void) {
        let w = max(1, min(workers, count))
        if w == 1 { body(0..<count, 0); return }
        withoutActuallyEscaping(body) { body in
            let job = Job(body: body)
            DispatchQueue.concurrentPerform(iterations: w) { i in
                let lo = count * i / w, hi = count * (i + 1) / w
                if hi > lo { job.body(lo..<hi, i) }
            }
        }
    }

    /// The body of a parallel loop; its threads write disjoint rows of the scratch buffers.
    private struct Job: @unchecked Sendable {
        let body: (Range<Int>, Int) -> Void
    }
}
