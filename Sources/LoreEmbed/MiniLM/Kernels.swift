import Foundation

/// Element-wise kernels of the encoder, on raw buffers with SIMD8 where it pays.
enum Kernels {
    /// rows × n: x[r] += bias.
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * n
            for j in 0..<n { row[j] += bias[j] }
        }
    }

    /// rows × n: x[r] = LayerNorm(x[r] + residual[r]) · weight + bias.
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, n: Int,
                             weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float) {
        for r in 0..<rows {
            let row = x + r * n
            if let residual {
                let res = residual + r * n
                for j in 0..<n { row[j] += res[j] }
            }
            var mean: Float = 0
            for j in 0..<n { mean += row[j] }
            mean /= Float(n)
            var variance: Float = 0
            for j in 0..<n {
                let d = row[j] - mean
                variance += d * d
            }
            variance /= Float(n)
            let inv = 1 / (variance + eps).squareRoot()
            for j in 0..<n { row[j] = (row[j] - mean) * inv * weight[j] + bias[j] }
        }
    }

    /// x = GELU(x + bias) with the exact erf form, 0.5·x·(1 + erf(x/√2)).
    static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>) {
        let invSqrt2: Float = 0.70710678118654752
        for r in 0..<rows {
            let row = x + r * n
            var j = 0
            while j + 8 <= n {
                var v = SIMD8<Float>(UnsafeBufferPointer(start: row + j, count: 8)) + SIMD8<Float>(UnsafeBufferPointer(start: bias + j, count: 8))
                v = 0.5 * v * (1 + erf8(v * invSqrt2))
                for l in 0..<8 { row[j + l] = v[l] }
                j += 8
            }
            while j < n {
                let v = row[j] + bias[j]
                row[j] = 0.5 * v * (1 + erff(v * invSqrt2))
                j += 1
            }
        }
    }

    /// erf on 8 lanes: a rational approximation (the one Eigen and XLA use for float),
    /// accurate to a few ulp on [-4, 4] and saturated outside.
    @inline(__always)
    static func erf8(_ x0: SIMD8<Float>) -> SIMD8<Float> {
        let x = x0.clamped(lowerBound: SIMD8(repeating: -4), upperBound: SIMD8(repeating: 4))
        let x2 = x * x
        var p = SIMD8<Float>(repeating: -2.72614225801306e-10)
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        p = p * x
        var q = SIMD8<Float>(repeating: -1.45660718464996e-05)
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return p / q
    }

    /// Softmax of each of `rows` rows of length `n` (stride `ld`), in place.
    static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, ld: Int) {
        for r in 0..<rows {
            let row = x + r * ld
            var m = -Float.infinity
            for j in 0..<n { m = max(m, row[j]) }
            var sum: Float = 0
            for j in 0..<n {
                let e = expf(row[j] - m)
                row[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0..<n { row[j] *= inv }
        }
    }
}
