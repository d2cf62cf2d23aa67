import Foundation
import LoreBLAS
import Testing

@testable import LoreEmbed

/// Times `SmallGEMM` against BLAS on the encoder's four weight shapes for growing M (the
/// crossover behind `BertEncoder.defaultSmallProductRows`). Off unless
/// `LORE_SMALL_GEMM_BENCH=1`; the weights of all six layers are distinct buffers, as in the
/// model, so that they come from L3 as in a real query and not from L2.
@Suite("small-M matrix product timing")
struct SmallGEMMBenchmark {
    @Test("SmallGEMM vs BLAS per M (prints a table)", .enabled(if: ProcessInfo.processInfo.environment["LORE_SMALL_GEMM_BENCH"] == "1"))
    func timing() throws {
        try BLAS.prepare()
        let shapes = [(1152, 384), (384, 384), (1536, 384), (384, 1536)]
        let layers = 6
        var rand = SmallGEMMTests.Rand(state: 7)
        let weights = (0..<layers).map { _ in shapes.map { rand.floats($0.0 * $0.1) } }
        let halves = weights.map { $0.map { w in w.withUnsafeBufferPointer { SmallGEMM.half($0) } } }
        let maxM = 128
        let x = rand.floats(maxM * 1536)
        var out = [Float](repeating: 0, count: maxM * 1536)
        func pass(_ m: Int, small: Bool, half: Bool = false) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    for l in 0..<layers {
                        for (s, (n, k)) in shapes.enumerated() {
                            if half {
                                halves[l][s].withUnsafeBufferPointer { wp in
                                    SmallGEMM.multiplyAdd(
                                        m: m, n: n, k: k, x: xp.baseAddress!, ldx: k, w: wp.baseAddress!, ldw: k,
                                        out: op.baseAddress!, ldo: n)
                                }
                                continue
                            }
                            weights[l][s].withUnsafeBufferPointer { wp in
                                if small {
                                    SmallGEMM.multiplyAdd(
                                        m: m, n: n, k: k, x: xp.baseAddress!, ldx: k, w: wp.baseAddress!, ldw: k,
                                        out: op.baseAddress!, ldo: n)
                                } else {
                                    BLAS.gemm(
                                        m: m, n: n, k: k, a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: k, transB: true,
                                        beta: 1, c: op.baseAddress!, ldc: n)
                                }
                            }
                        }
                    }
                }
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        print("M  small_ms  half_ms  blas_ms  (medians of 15 passes over the 24 products of the model)")
        let env = ProcessInfo.processInfo.environment
        let ms =
            env["LORE_SMALL_GEMM_BENCH_M"].map { $0.split(separator: ",").compactMap { Int($0) } }
            ?? [1, 2, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128]
        let passes = env["LORE_SMALL_GEMM_BENCH_PASSES"].flatMap { Int($0) } ?? 15
        for m in ms {
            var a: [Double] = [], h: [Double] = [], b: [Double] = []
            for _ in 0..<passes {
                a.append(pass(m, small: true)); h.append(pass(m, small: true, half: true)); b.append(pass(m, small: false))
            }
            a.sort(); h.sort(); b.sort()
            print(String(format: "%3d  %7.3f  %7.3f  %7.3f", m, a[passes / 2], h[passes / 2], b[passes / 2]))
        }
    }
}
