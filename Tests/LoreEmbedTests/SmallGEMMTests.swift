import Foundation
import LoreBLAS
@testable import LoreEmbed
import LoreTestSupport
import Testing

/// The few-row matrix product the encoder uses for queries equals the textbook triple loop
/// and BLAS, and the encoder gives the same vectors whichever of the two it uses.
@Suite("small-M matrix product")
struct SmallGEMMTests {
    /// A deterministic generator (SplitMix64), so that a failure can be replayed.
    struct Rand {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
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
                    SmallGEMM.multiplyAdd(m: m, n: n, k: k, x: xp.baseAddress!, ldx: ldx, w: wp.baseAddress!, ldw: ldw,
                                          out: op.baseAddress!, ldo: ldo)
                }
                blas.withUnsafeMutableBufferPointer { op in
                    BLAS.gemm(m: m, n: n, k: k, a: xp.baseAddress!, lda: ldx, b: wp.baseAddress!, ldb: ldw, transB: true,
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
        let weights = try BertWeights(file: SafeTensors(path: TestPaths.model + "/model.safetensors"),
                                      config: BertConfig(contentsOf: TestPaths.model + "/config.json"))
        let small = BertEncoder(weights: weights, smallProductRows: 1_000)
        let blas = BertEncoder(weights: weights, smallProductRows: 0)
        let texts = ["", "hi", "How do I enable write-ahead logging?", "What is the maximum size of a BLOB in SQLite, and can it be raised at compile time?",
                     String(repeating: "a longer query about full-text search ranking and tokenizers ", count: 5)]
        let ids = texts.map { tokenizer.encode($0) }
        for threads in [1, 2] {
            // Alone (a query) and together (a small batch, rows of several sequences).
            for (s, b) in zip(ids.map { small.meanPooled([$0], threads: threads)[0] }, ids.map { blas.meanPooled([$0], threads: threads)[0] }) {
                #expect(Self.cosine(s, b) > 0.99999)
            }
            for (s, b) in zip(small.meanPooled(ids, threads: threads), blas.meanPooled(ids, threads: threads)) {
                #expect(Self.cosine(s, b) > 0.99999)
            }
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
