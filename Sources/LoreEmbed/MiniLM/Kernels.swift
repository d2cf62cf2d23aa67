import Foundation

/// Element-wise kernels of the encoder, on raw buffers in SIMD16 lanes (one AVX-512
/// register where the build machine has it; see `vectorKernels` in Package.swift) with
/// scalar tails. Exact to float32 rounding except `expV` and `erfV`, within a few ulp.
enum Kernels {
    typealias V = SIMD16<Float>
    typealias VI = SIMD16<Int32>
    static let w = V.scalarCount

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    @inline(__always) static func vmin(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .< a) }
    @inline(__always) static func vmax(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .> a) }

    /// rows × n: x[r] = bias + residual[r] (or bias alone): the starting value of a
    /// product's output that the product is then added to.
    static func fillRows(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>, residual: UnsafePointer<Float>?) {
        for r in 0..<rows {
            let row = x + r * n
            var j = 0
            if let residual {
                let res = residual + r * n
                while j + w <= n { store(load(res + j) + load(bias + j), row + j); j += w }
                while j < n { row[j] = res[j] + bias[j]; j += 1 }
            } else {
                while j + w <= n { store(load(bias + j), row + j); j += w }
                while j < n { row[j] = bias[j]; j += 1 }
            }
        }
    }

    /// rows × n: x[r] = LayerNorm(x[r] + residual[r]) · weight + bias.
    static func addLayerNorm(
        _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, n: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float
    ) {
        for r in 0..<rows {
            let row = x + r * n
            var acc = V()
            var j = 0
            if let residual {
                let res = residual + r * n
                while j + w <= n { let v = load(row + j) + load(res + j); store(v, row + j); acc += v; j += w }
                while j < n { row[j] += res[j]; j += 1 }
            } else {
                while j + w <= n { acc += load(row + j); j += w }
            }
            var mean = acc.sum()
            for t in (n - n % w)..<n { mean += row[t] }
            mean /= Float(n)
            var vacc = V()
            j = 0
            let m = V(repeating: mean)
            while j + w <= n { let d = load(row + j) - m; vacc += d * d; j += w }
            var variance = vacc.sum()
            while j < n { let d = row[j] - mean; variance += d * d; j += 1 }
            variance /= Float(n)
            let inv = 1 / (variance + eps).squareRoot()
            let vinv = V(repeating: inv)
            j = 0
            while j + w <= n { store((load(row + j) - m) * vinv * load(weight + j) + load(bias + j), row + j); j += w }
            while j < n { row[j] = (row[j] - mean) * inv * weight[j] + bias[j]; j += 1 }
        }
    }

    /// x = GELU(x + bias) with the erf form, 0.5·x·(1 + erf(x/√2)); with no bias, GELU(x).
    static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>?) {
        guard let bias else { return gelu(x, rows: rows, n: n) }
        let invSqrt2: Float = 0.70710678118654752
        for r in 0..<rows {
            let row = x + r * n
            var j = 0
            while j + w <= n {
                let v = load(row + j) + load(bias + j)
                store(0.5 * v * (1 + erfV(v * invSqrt2)), row + j)
                j += w
            }
            while j < n {
                let v = row[j] + bias[j]
                row[j] = 0.5 * v * (1 + erff(v * invSqrt2))
                j += 1
            }
        }
    }

    /// x = GELU(x), in place.
    static func gelu(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        let invSqrt2: Float = 0.70710678118654752
        let count = rows * n
        var j = 0
        while j + w <= count {
            let v = load(x + j)
            store(0.5 * v * (1 + erfV(v * invSqrt2)), x + j)
            j += w
        }
        while j < count {
            let v = x[j]
            x[j] = 0.5 * v * (1 + erff(v * invSqrt2))
            j += 1
        }
    }

    /// erf on the lanes: the rational approximation Eigen and XLA use for float, within a
    /// few ulp on [-4, 4] and saturated outside.
    @inline(__always)
    static func erfV(_ x0: V) -> V {
        let x = vmin(vmax(x0, V(repeating: -4)), V(repeating: 4))
        let x2 = x * x
        var p = V(repeating: -2.72614225801306e-10)
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        p = p * x
        var q = V(repeating: -1.45660718464996e-05)
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return p / q
    }

    /// e^x on the lanes (Cephes' expf: range reduction by ln 2, degree-6 polynomial), within
    /// 2 ulp; inputs below -87 give (nearly) 0.
    @inline(__always)
    static func expV(_ x0: V) -> V {
        var x = vmin(vmax(x0, V(repeating: -87.3)), V(repeating: 88.3))
        // n = round(x / ln 2) without a conversion instruction: adding 1.5·2²³ leaves n in
        // the low mantissa bits (|n| < 2²²).
        let magic = V(repeating: 12582912)
        let shifted = x * 1.44269504088896341 + magic
        let fx = shifted - magic
        let n = unsafeBitCast(shifted, to: VI.self) &- 0x4B40_0000
        x = x - fx * 0.693359375 + fx * 2.12194440e-4
        let z = x * x
        var y = V(repeating: 1.9875691500e-4)
        y = y * x + 1.3981999507e-3
        y = y * x + 8.3334519073e-3
        y = y * x + 4.1665795894e-2
        y = y * x + 1.6666665459e-1
        y = y * x + 5.0000001201e-1
        y = y * z + x + 1
        let pow2 = unsafeBitCast((n &+ 127) &<< 23, to: V.self)
        return y * pow2
    }

    /// The unnormalised softmax of each row, e^(x - max), in place; the reciprocal of each
    /// row's sum goes to `inverseSums` (the caller scales the product with V instead, a
    /// pass over n × d values rather than n × n).
    static func expRows(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, ld: Int, inverseSums: UnsafeMutablePointer<Float>) {
        let tail = n - n % w
        for r in 0..<rows {
            let row = x + r * ld
            var vm = V(repeating: -.infinity)
            var j = 0
            while j < tail { vm = vmax(vm, load(row + j)); j += w }
            var m = vm.max()
            while j < n { m = Swift.max(m, row[j]); j += 1 }
            let vmx = V(repeating: m)
            var vs = V()
            j = 0
            while j < tail { let e = expV(load(row + j) - vmx); store(e, row + j); vs += e; j += w }
            var sum = vs.sum()
            while j < n { let e = expf(row[j] - m); row[j] = e; sum += e; j += 1 }
            inverseSums[r] = 1 / sum
        }
    }

    /// rows × n (stride `ld`): x[r] *= scale[r].
    static func scaleRows(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, ld: Int, scale: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * ld
            let s = scale[r]
            for j in 0..<n { row[j] *= s }
        }
    }
}
