import Foundation
import LoreBLAS
import LoreCore
import LoreTestSupport
import Testing

@testable import LoreEmbed

/// The few-row matrix product the encoder uses for queries equals the textbook triple loop
/// and BLAS, and the encoder gives the same vectors whichever of the two it uses.
@Suite("small-M matrix product")
struct SmallGEMMTests {
    /// A deterministic generator (SplitMix64), so that a failure can be replayed.
    struct Rand {
        var base: SeededRandom
        init(state: UInt64) { base = SeededRandom(seed: state) }
        mutating func next() -> UInt64 { base.next() }
        mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
        mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in float() } }
    }

    /// out[m × n] (stride ldo) += x[m × k] (stride ldx) · w[n × k]ᵀ (stride ldw), in Double.
    static func naive(m: Int, n: Int, k: Int, x: [Float], ldx: Int, w: [Float], ldw: Int, out: inout [Float], ldo: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = Double(out[i * ldo + j])
                for t in 0..<k { s += Double(x[i * ldx + t]) * Double(w[j * ldw + t]) }
                out[i * ldo + j] = Float(s)
            }
        }
    }

    static func check(m: Int, n: Int, k: Int, pad: Int, rand: inout Rand) {
        let ldx = k + pad, ldw = k + pad, ldo = n + pad
        let x = rand.floats(m * ldx), w = rand.floats(n * ldw), start = rand.floats(m * ldo)
        var want = start
        naive(m: m, n: n, k: k, x: x, ldx: ldx, w: w, ldw: ldw, out: &want, ldo: ldo)
        var got = start, blas = start
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                got.withUnsafeMutableBufferPointer { op in
                    SmallGEMM.multiplyAdd(
                        m: m, n: n, k: k, x: xp.baseAddress!, ldx: ldx, w: wp.baseAddress!, ldw: ldw,
                        out: op.baseAddress!, ldo: ldo)
                }
                blas.withUnsafeMutableBufferPointer { op in
                    BLAS.gemm(
                        m: m, n: n, k: k, a: xp.baseAddress!, lda: ldx, b: wp.baseAddress!, ldb: ldw, transB: true,
                        beta: 1, c: op.baseAddress!, ldc: ldo)
                }
            }
        }
        // Sums of k products of values in [-1, 1]: float rounding grows about as √k.
        let tolerance = 1e-5 * Float(max(k, 1)).squareRoot() * 4
        var worstNaive: Float = 0, worstBLAS: Float = 0
        for i in 0..<m {
            for j in 0..<ldo {
                let p = i * ldo + j
                if j >= n {
                    #expect(got[p] == start[p], "padding column \(j) of row \(i) was written (m \(m) n \(n) k \(k))")
                    continue
                }
                worstNaive = max(worstNaive, abs(got[p] - want[p]))
                worstBLAS = max(worstBLAS, abs(got[p] - blas[p]))
            }
        }
        #expect(worstNaive <= tolerance, "m \(m) n \(n) k \(k) pad \(pad): off the triple loop by \(worstNaive)")
        #expect(worstBLAS <= tolerance, "m \(m) n \(n) k \(k) pad \(pad): off BLAS by \(worstBLAS)")
    }

    init() throws { try BLAS.prepare() }

    @Test("equals the triple loop and BLAS for the model's shapes, M = 1 to 40")
    func modelShapes() {
        var rand = Rand(state: 1)
        for m in [1, 2, 3, 4, 5, 7, 8, 17, 32, 40] {
            for (n, k) in [(1152, 384), (384, 384), (1536, 384), (384, 1536)] {
                Self.check(m: m, n: n, k: k, pad: 0, rand: &rand)
            }
        }
    }

    @Test("equals the triple loop and BLAS for odd sizes, strides and k below 16")
    func oddShapes() {
        var rand = Rand(state: 2)
        for (m, n, k) in [(1, 1, 1), (1, 1, 15), (1, 5, 16), (3, 3, 17), (5, 7, 31), (9, 13, 33), (4, 4, 0), (6, 9, 100)] {
            Self.check(m: m, n: n, k: k, pad: 0, rand: &rand)
            Self.check(m: m, n: n, k: k, pad: 3, rand: &rand)
        }
        for _ in 0..<60 {
            let m = rand.int(1...37), n = rand.int(1...70), k = rand.int(1...200)
            Self.check(m: m, n: n, k: k, pad: rand.int(0...5), rand: &rand)
        }
    }

    @Test("MiniLM gives the same vectors with the small-M kernel as with BLAS alone")
    func encoderPaths() throws {
        let tokenizer = TestModel.tokenizer
        let weights = try BertWeights(
            file: SafeTensors(path: TestPaths.model + "/model.safetensors"),
            config: BertConfig(contentsOf: TestPaths.model + "/config.json"))
        let small = BertEncoder(weights: weights, smallProductRows: 1_000, halfProductRows: 0)
        let blas = BertEncoder(weights: weights, smallProductRows: 0, halfProductRows: 0)
        let texts = [
            "", "hi", "How do I enable write-ahead logging?",
            "What is the maximum size of a BLOB in SQLite, and can it be raised at compile time?",
            String(repeating: "a longer query about full-text search ranking and tokenizers ", count: 5)
        ]
        let ids = texts.map { tokenizer.encode($0) }
        for threads in [1, 2] {
            // Alone (a query) and together (a small batch, rows of several sequences).
            for (s, b) in zip(
                ids.map { small.meanPooled([$0], threads: threads)[0] }, ids.map { blas.meanPooled([$0], threads: threads)[0] })
            {
                #expect(Self.cosine(s, b) > 0.99999)
            }
            for (s, b) in zip(small.meanPooled(ids, threads: threads), blas.meanPooled(ids, threads: threads)) {
                #expect(Self.cosine(s, b) > 0.99999)
            }
        }
    }

    /// The `Float16` weights path: the same sums as the triple loop over the weights rounded
    /// to half precision (the products and sums are in `Float`).
    static func checkHalf(m: Int, n: Int, k: Int, pad: Int, rand: inout Rand) {
        let ldx = k + pad, ldw = k + pad, ldo = n + pad
        let x = rand.floats(m * ldx), w = rand.floats(n * ldw), start = rand.floats(m * ldo)
        let wh = w.withUnsafeBufferPointer { SmallGEMM.half($0) }
        #expect(wh.count == w.count)
        #expect(zip(w, wh).allSatisfy { Float16($0) == $1 }, "half() rounds as Float16(_:) does")
        var want = start
        naive(m: m, n: n, k: k, x: x, ldx: ldx, w: wh.map { Float($0) }, ldw: ldw, out: &want, ldo: ldo)
        var got = start
        x.withUnsafeBufferPointer { xp in
            wh.withUnsafeBufferPointer { wp in
                got.withUnsafeMutableBufferPointer { op in
                    SmallGEMM.multiplyAdd(
                        m: m, n: n, k: k, x: xp.baseAddress!, ldx: ldx, w: wp.baseAddress!, ldw: ldw,
                        out: op.baseAddress!, ldo: ldo)
                }
            }
        }
        let tolerance = 1e-5 * Float(max(k, 1)).squareRoot() * 4
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<ldo {
                let p = i * ldo + j
                if j >= n {
                    #expect(got[p] == start[p], "padding column \(j) of row \(i) was written (m \(m) n \(n) k \(k))")
                    continue
                }
                worst = max(worst, abs(got[p] - want[p]))
            }
        }
        #expect(worst <= tolerance, "half: m \(m) n \(n) k \(k) pad \(pad): off the triple loop by \(worst)")
    }

    @Test("with Float16 weights, equals the triple loop over the rounded weights")
    func halfShapes() {
        var rand = Rand(state: 3)
        for m in [1, 3, 4, 8, 17, 32] {
            for (n, k) in [(1152, 384), (384, 1536)] { Self.checkHalf(m: m, n: n, k: k, pad: 0, rand: &rand) }
        }
        for (m, n, k) in [(1, 1, 1), (1, 1, 15), (3, 3, 17), (5, 7, 31), (4, 4, 0), (6, 9, 100)] {
            Self.checkHalf(m: m, n: n, k: k, pad: 3, rand: &rand)
        }
        for _ in 0..<30 {
            Self.checkHalf(m: rand.int(1...37), n: rand.int(1...70), k: rand.int(1...200), pad: rand.int(0...5), rand: &rand)
        }
    }

    /// Short texts (queries) embedded with the `Float16` weights against `Float` throughout:
    /// over 478 texts of 3 to 40 tokens the worst cosine measured 0.9999994 (mean 0.99999986;
    /// against sentence-transformers 0.9999996 at worst); the bound 0.99999 leaves about
    /// fifteen times the measured loss.
    @Test("MiniLM with Float16 weights for short texts stays within cosine 0.99999 of Float, and of sentence-transformers")
    func halfEncoder() throws {
        let tokenizer = TestModel.tokenizer
        let weights = try BertWeights(
            file: SafeTensors(path: TestPaths.model + "/model.safetensors"),
            config: BertConfig(contentsOf: TestPaths.model + "/config.json"), half: true)
        let half = BertEncoder(weights: weights, smallProductRows: 1_000, halfProductRows: 1_000)
        let single = BertEncoder(weights: weights, smallProductRows: 1_000, halfProductRows: 0)
        var texts = ReferenceFixtures.tokenizerCases.map(\.text) + ReferenceFixtures.embeddingCases.map(\.text)
        texts = texts.filter { (3...40).contains(tokenizer.encode($0).count) }
        #expect(texts.count >= 200, "\(texts.count) short texts")
        var worst = 1.0, sum = 0.0
        for text in texts {
            let ids = tokenizer.encode(text)
            let c = Self.cosine(half.meanPooled([ids])[0], single.meanPooled([ids])[0])
            worst = min(worst, c); sum += c
        }
        // And against the reference vectors, for the short ones among them.
        var worstReference = 1.0
        for ref in ReferenceFixtures.embeddingCases where ref.tokens <= 40 {
            let v = half.meanPooled([tokenizer.encode(ref.text)])[0]
            worstReference = min(worstReference, Self.cosine(v, ref.embedding))
        }
        print(
            "Float16 vs Float weights over \(texts.count) short texts: worst cosine \(worst), mean \(sum / Double(texts.count)); worst against sentence-transformers \(worstReference)"
        )
        #expect(worst > 0.99999, "worst cosine \(worst)")
        #expect(worstReference > 0.99999, "worst cosine against the reference \(worstReference)")
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
