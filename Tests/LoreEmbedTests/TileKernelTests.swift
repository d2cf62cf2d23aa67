import Foundation
import LoreCore
import LoreTestSupport
import Testing

@testable import LoreEmbed

/// The bf16 product on AMX tiles equals the textbook product of the bf16-rounded inputs
/// (summed in fp32), touches nothing outside its output, and gives each row the same value
/// whatever rows come with it. Runs where the CPU has AMX-BF16 tiles.
@Suite("bf16 matrix product on AMX tiles", .enabled(if: EncoderKernel.bf16.available, "this CPU has no AMX-BF16 tiles"))
struct TileKernelTests {
    /// fp32 rounded to the nearest bf16 (ties to even), as the kernel rounds.
    static func bf16(_ f: Float) -> Float {
        var u = f.bitPattern
        u &+= 0x7FFF &+ ((u >> 16) & 1)
        return Float(bitPattern: u & 0xFFFF_0000)
    }

    static func product(m: Int, tiles: TileWeights, x: [Float], ldx: Int, out: [Float], ldo: Int) -> [Float] {
        var out = out
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                #expect(tiles.multiplyAdd(m: m, x: xp.baseAddress!, ldx: ldx, out: op.baseAddress!, ldo: ldo))
            }
        }
        return out
    }

    @Test(
        "out += x · wᵀ over partial and whole blocks of 32 rows, with strides, within fp32 summation error",
        arguments: [(1, 32, 32), (7, 64, 96), (31, 96, 64), (32, 32, 32), (33, 64, 64), (95, 128, 160)])
    func matchesReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rand = SmallGEMMTests.Rand(state: UInt64(m * 1_000_003 + n * 1_009 + k))
        let ldx = k + 5, ldo = n + 3
        let x = rand.floats(m * ldx), w = rand.floats(n * k), start = rand.floats(m * ldo)
        let tiles = w.withUnsafeBufferPointer { TileWeights($0, n: n, k: k) }
        let got = Self.product(m: m, tiles: tiles, x: x, ldx: ldx, out: start, ldo: ldo)
        var worst = 0.0, reference = 0.0
        for i in 0..<m {
            for j in 0..<ldo {
                let p = i * ldo + j
                guard j < n else {
                    #expect(got[p] == start[p], "column \(j) past n was written")
                    continue
                }
                var s = Double(start[p]), exact = Double(start[p])
                for t in 0..<k {
                    s += Double(Self.bf16(x[i * ldx + t])) * Double(Self.bf16(w[j * k + t]))
                    exact += Double(x[i * ldx + t]) * Double(w[j * k + t])
                }
                worst = max(worst, abs(Double(got[p]) - s))
                reference = max(reference, abs(Double(got[p]) - exact))
            }
        }
        // Against the rounded inputs only fp32 summation error remains; against the exact
        // inputs, bf16's 8 bits of mantissa (a relative 2⁻⁹ per factor) over √k terms.
        #expect(worst <= 1e-5 * Double(k).squareRoot() * 4, "m \(m): \(worst) from the bf16 reference")
        #expect(reference <= 0.01 * Double(k).squareRoot(), "m \(m): \(reference) from the fp32 product")
    }

    @Test("a row's output is the same alone as among 70 others")
    func rowsAreIndependent() {
        let n = 64, k = 96, m = 71
        var rand = SmallGEMMTests.Rand(state: 42)
        let x = rand.floats(m * k), w = rand.floats(n * k)
        let tiles = w.withUnsafeBufferPointer { TileWeights($0, n: n, k: k) }
        let all = Self.product(m: m, tiles: tiles, x: x, ldx: k, out: [Float](repeating: 0, count: m * n), ldo: n)
        for i in [0, 31, 32, 70] {
            let alone = Self.product(
                m: 1, tiles: tiles, x: Array(x[(i * k)..<((i + 1) * k)]), ldx: k, out: [Float](repeating: 0, count: n), ldo: n)
            #expect(alone == Array(all[(i * n)..<((i + 1) * n)]), "row \(i)")
        }
    }

    @Test("LORE_EMBED_KERNEL's names: auto picks bf16 here; an unknown name is refused by name")
    func kernelNames() throws {
        #expect(try EncoderKernel.named(nil) == .bf16)
        #expect(try EncoderKernel.named("auto") == .bf16)
        #expect(try EncoderKernel.named("FP32") == .fp32)
        #expect(try EncoderKernel.named("bf16") == .bf16)
        #expect {
            try EncoderKernel.named("int4")
        } throws: { error in
            "\(error)".contains("LORE_EMBED_KERNEL=int4") && "\(error)".contains("auto, fp32 or bf16")
        }
    }
}
