import Foundation
import Testing

@testable import LoreEmbed

/// The encoder's approximations stay within a few ulp of the C library.
@Suite("encoder kernels")
struct KernelTests {
    @Test("erfV matches erff to 4e-7 (3 ulp of 1) on [-6, 6]")
    func erf() {
        var worst: Float = 0
        var x: Float = -6
        while x <= 6 {
            let lanes = Kernels.V((0..<Kernels.w).map { x + Float($0) * 0.0003 })
            let got = Kernels.erfV(lanes)
            for l in 0..<Kernels.w { worst = max(worst, abs(got[l] - erff(lanes[l]))) }
            x += 0.0024
        }
        #expect(worst < 4e-7, "max error \(worst)")
    }

    @Test("expV matches expf to 2 ulp on [-87, 0] (softmax inputs) and gives 0 below")
    func exp() {
        var worst: Float = 0
        var x: Float = -87
        while x <= 0 {
            let lanes = Kernels.V((0..<Kernels.w).map { x + Float($0) * 0.001 })
            let got = Kernels.expV(lanes)
            for l in 0..<Kernels.w {
                let want = expf(lanes[l])
                worst = max(worst, abs(got[l] - want) / want.ulp)
            }
            x += 0.008
        }
        #expect(worst <= 2, "max error \(worst) ulp")
        #expect(Kernels.expV(Kernels.V(repeating: -1000))[0] < 1e-37)
    }

    @Test("expRows and scaleRows make a softmax whose rows sum to 1")
    func softmax() {
        var scores: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1, 0.5, 100, 100, 0, -50, 3, 3]
        var inv = [Float](repeating: 0, count: 2)
        scores.withUnsafeMutableBufferPointer { s in
            inv.withUnsafeMutableBufferPointer { i in
                Kernels.expRows(s.baseAddress!, rows: 2, n: 9, ld: 9, inverseSums: i.baseAddress!)
                Kernels.scaleRows(s.baseAddress!, rows: 2, n: 9, ld: 9, scale: i.baseAddress!)
            }
        }
        for r in 0..<2 { #expect(abs(scores[(r * 9)..<(r * 9 + 9)].reduce(0, +) - 1) < 1e-6) }
        let row0 = (1...9).map { expf(Float($0) - 9) }
        let sum = row0.reduce(0, +)
        for j in 0..<9 { #expect(abs(scores[j] - row0[j] / sum) < 1e-7) }
    }
}
