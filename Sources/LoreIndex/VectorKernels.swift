/// The distance loops every index runs, on raw float32 rows.
///
/// Written with SIMD16 lanes and two accumulators so that the compiler emits AVX-512 or
/// AVX2 fused multiply-adds where the build machine has them (see `vectorKernels` in
/// Package.swift); on a portable build the same code runs on SSE2 without FMA.
public enum VectorKernels {
    public typealias V = SIMD16<Float>

    @inline(__always) static func load(_ p: UnsafeRawPointer, _ byteOffset: Int) -> V {
        p.loadUnaligned(fromByteOffset: byteOffset, as: V.self)
    }

    @inline(__always) static func fma(_ acc: V, _ a: V, _ b: V) -> V {
        #if LORE_FMA
            return acc.addingProduct(a, b)
        #else
            return acc + a * b
        #endif
    }

    /// The inner product of two rows of `n` floats.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var acc0 = V(), acc1 = V()
        var i = 0
        while i + 32 <= n {
            acc0 = fma(acc0, load(ra, i &* 4), load(rb, i &* 4))
            acc1 = fma(acc1, load(ra, i &* 4 &+ 64), load(rb, i &* 4 &+ 64))
            i &+= 32
        }
        if i + 16 <= n {
            acc0 = fma(acc0, load(ra, i &* 4), load(rb, i &* 4))
            i &+= 16
        }
        var s = (acc0 + acc1).sum()
        while i < n { s += a[i] * b[i]; i &+= 1 }
        return s
    }

    /// `scores[r] = dot(query, rows[r])` for `count` rows of `n` floats, `stride` floats apart.
    public static func dots(
        _ query: UnsafePointer<Float>, rows: UnsafePointer<Float>, count: Int, n: Int, stride: Int,
        into scores: UnsafeMutablePointer<Float>
    ) {
        var r = 0
        // Four rows at a time: the query's lanes are loaded once for four products.
        let rq = UnsafeRawPointer(query)
        while r + 4 <= count {
            let p0 = UnsafeRawPointer(rows + r &* stride), p1 = UnsafeRawPointer(rows + (r &+ 1) &* stride)
            let p2 = UnsafeRawPointer(rows + (r &+ 2) &* stride), p3 = UnsafeRawPointer(rows + (r &+ 3) &* stride)
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            var i = 0
            while i + 16 <= n {
                let q = load(rq, i &* 4)
                a0 = fma(a0, q, load(p0, i &* 4)); a1 = fma(a1, q, load(p1, i &* 4))
                a2 = fma(a2, q, load(p2, i &* 4)); a3 = fma(a3, q, load(p3, i &* 4))
                i &+= 16
            }
            var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
            while i < n {
                let q = query[i]
                s0 += q * rows[r &* stride &+ i]; s1 += q * rows[(r &+ 1) &* stride &+ i]
                s2 += q * rows[(r &+ 2) &* stride &+ i]; s3 += q * rows[(r &+ 3) &* stride &+ i]
                i &+= 1
            }
            scores[r] = s0; scores[r &+ 1] = s1; scores[r &+ 2] = s2; scores[r &+ 3] = s3
            r &+= 4
        }
        while r < count { scores[r] = dot(query, rows + r &* stride, n); r &+= 1 }
    }

    /// Scales `v` in place to unit length; returns false for a zero or non-finite vector.
    @discardableResult
    public static func normalize(_ v: inout [Float]) -> Bool {
        let norm = v.withUnsafeBufferPointer { dot($0.baseAddress!, $0.baseAddress!, $0.count) }.squareRoot()
        guard norm.isFinite, norm > 0 else { return false }
        for i in v.indices { v[i] /= norm }
        return true
    }
}
