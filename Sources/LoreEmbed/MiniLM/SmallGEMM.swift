/// The matrix product of the encoder's linear layers for few rows (a query's tokens):
/// `out[m × n] += x[m × k] · wᵀ`, with `w` in PyTorch's `[n × k]` layout (one row per
/// output feature), row-major throughout.
///
/// BLAS packs (copies) the whole of `w` before every product, which for a handful of rows
/// costs more than the product itself: a query would read every weight of the model twice
/// and write it once. Here each block of four weight rows is read once, straight from the
/// model, and stays in L1 while every row of `x` is multiplied with it, four rows at a time
/// (sixteen SIMD16 accumulators: the products are dot products along `k`, summed across the
/// lanes once per output). `k` need not be a multiple of 16, nor `m` or `n` of 4.
///
/// The weights may be `Float` or `Float16` (the encoder's half-precision copy for queries,
/// whose product is bound by streaming the weights from L3 or memory: half the bytes). A
/// `Float16` block of sixteen becomes sixteen `Float`s in one instruction (`vcvtph2ps`, with
/// F16C or AVX-512) as it is loaded, and every product and sum is in `Float`.
enum SmallGEMM {
    typealias V = SIMD16<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) static func load<W: SmallGEMMWeight>(_ p: UnsafePointer<W>) -> V { W.load16(p) }

    @inline(__always) static func fma(_ acc: V, _ a: V, _ b: V) -> V {
        #if LORE_FMA
            return acc.addingProduct(a, b)
        #else
            return acc + a * b
        #endif
    }

    /// The sum of the lanes, by halves (a shuffle and an add per step).
    @inline(__always) static func hsum(_ v: V) -> Float {
        let a = v.lowHalf + v.highHalf
        let b = a.lowHalf + a.highHalf
        let c = b.lowHalf + b.highHalf
        return c[0] + c[1]
    }

    /// The lane sums of four accumulators, [Σa, Σb, Σc, Σd], in shuffles and adds of whole
    /// registers rather than four separate reductions.
    @inline(__always) static func hsum4(_ a: V, _ b: V, _ c: V, _ d: V) -> SIMD4<Float> {
        // ab: lanes 0-7 partial sums of a, 8-15 of b; cd likewise.
        let ab = V(lowHalf: a.lowHalf, highHalf: b.lowHalf) + V(lowHalf: a.highHalf, highHalf: b.highHalf)
        let cd = V(lowHalf: c.lowHalf, highHalf: d.lowHalf) + V(lowHalf: c.highHalf, highHalf: d.highHalf)
        // Four lanes each of a, b, c, d.
        let t =
            V(
                lowHalf: SIMD8(lowHalf: ab.lowHalf.lowHalf, highHalf: ab.highHalf.lowHalf),
                highHalf: SIMD8(lowHalf: cd.lowHalf.lowHalf, highHalf: cd.highHalf.lowHalf))
            + V(
                lowHalf: SIMD8(lowHalf: ab.lowHalf.highHalf, highHalf: ab.highHalf.highHalf),
                highHalf: SIMD8(lowHalf: cd.lowHalf.highHalf, highHalf: cd.highHalf.highHalf))
        let u = t.evenHalf + t.oddHalf
        return u.evenHalf + u.oddHalf
    }

    @inline(__always) static func add4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD4<Float>.self) + v, as: SIMD4<Float>.self)
    }

    /// `out[i * ldo + j] += Σₜ x[i * ldx + t] · w[j * ldw + t]` for i < m, j < n, t < k.
    static func multiplyAdd(
        m: Int, n: Int, k: Int, x: UnsafePointer<Float>, ldx: Int,
        w: UnsafePointer<Float>, ldw: Int, out: UnsafeMutablePointer<Float>, ldo: Int
    ) {
        product(m: m, n: n, k: k, x: x, ldx: ldx, w: w, ldw: ldw, out: out, ldo: ldo)
    }

    /// The same with `Float16` weights (converted to `Float` as they are loaded).
    static func multiplyAdd(
        m: Int, n: Int, k: Int, x: UnsafePointer<Float>, ldx: Int,
        w: UnsafePointer<Float16>, ldw: Int, out: UnsafeMutablePointer<Float>, ldo: Int
    ) {
        product(m: m, n: n, k: k, x: x, ldx: ldx, w: w, ldw: ldw, out: out, ldo: ldo)
    }

    /// The two entry points above are concrete so that callers in other modules (the tests)
    /// get this specialised, not a generic call per block.
    @inline(__always)
    private static func product<W: SmallGEMMWeight>(
        m: Int, n: Int, k: Int, x: UnsafePointer<Float>, ldx: Int,
        w: UnsafePointer<W>, ldw: Int, out: UnsafeMutablePointer<Float>, ldo: Int
    ) {
        guard m > 0, n > 0 else { return }
        let kv = k & ~15  // the part of k in whole SIMD16 chunks
        var j = 0
        while j &+ 4 <= n {
            let w0 = w + j &* ldw, w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw
            var i = 0
            while i &+ 4 <= m {
                block4x4(x + i &* ldx, ldx, w0, w1, w2, w3, kv, k, out + (i &* ldo &+ j), ldo)
                i &+= 4
            }
            while i < m {
                block1x4(x + i &* ldx, w0, w1, w2, w3, kv, k, out + (i &* ldo &+ j))
                i &+= 1
            }
            j &+= 4
        }
        while j < n {
            let wj = w + j &* ldw
            for i in 0..<m { out[i &* ldo &+ j] += dot(x + i &* ldx, wj, kv, k) }
            j &+= 1
        }
    }

    /// Four rows of x against four rows of w: sixteen outputs.
    @inline(__always)
    private static func block4x4<W: SmallGEMMWeight>(
        _ x0: UnsafePointer<Float>, _ ldx: Int,
        _ w0: UnsafePointer<W>, _ w1: UnsafePointer<W>,
        _ w2: UnsafePointer<W>, _ w3: UnsafePointer<W>,
        _ kv: Int, _ k: Int, _ o: UnsafeMutablePointer<Float>, _ ldo: Int
    ) {
        let x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx
        var a00 = V(), a01 = V(), a02 = V(), a03 = V()
        var a10 = V(), a11 = V(), a12 = V(), a13 = V()
        var a20 = V(), a21 = V(), a22 = V(), a23 = V()
        var a30 = V(), a31 = V(), a32 = V(), a33 = V()
        var t = 0
        while t < kv {
            let b0 = load(w0 + t), b1 = load(w1 + t), b2 = load(w2 + t), b3 = load(w3 + t)
            let c0 = load(x0 + t)
            a00 = fma(a00, c0, b0); a01 = fma(a01, c0, b1); a02 = fma(a02, c0, b2); a03 = fma(a03, c0, b3)
            let c1 = load(x1 + t)
            a10 = fma(a10, c1, b0); a11 = fma(a11, c1, b1); a12 = fma(a12, c1, b2); a13 = fma(a13, c1, b3)
            let c2 = load(x2 + t)
            a20 = fma(a20, c2, b0); a21 = fma(a21, c2, b1); a22 = fma(a22, c2, b2); a23 = fma(a23, c2, b3)
            let c3 = load(x3 + t)
            a30 = fma(a30, c3, b0); a31 = fma(a31, c3, b1); a32 = fma(a32, c3, b2); a33 = fma(a33, c3, b3)
            t &+= 16
        }
        var s0 = hsum4(a00, a01, a02, a03), s1 = hsum4(a10, a11, a12, a13)
        var s2 = hsum4(a20, a21, a22, a23), s3 = hsum4(a30, a31, a32, a33)
        while t < k {
            let b = SIMD4(w0[t].float, w1[t].float, w2[t].float, w3[t].float)
            s0 += x0[t] * b; s1 += x1[t] * b; s2 += x2[t] * b; s3 += x3[t] * b
            t &+= 1
        }
        add4(s0, o); add4(s1, o + ldo); add4(s2, o + 2 &* ldo); add4(s3, o + 3 &* ldo)
    }

    /// One row of x against four rows of w.
    @inline(__always)
    private static func block1x4<W: SmallGEMMWeight>(
        _ x0: UnsafePointer<Float>,
        _ w0: UnsafePointer<W>, _ w1: UnsafePointer<W>,
        _ w2: UnsafePointer<W>, _ w3: UnsafePointer<W>,
        _ kv: Int, _ k: Int, _ o: UnsafeMutablePointer<Float>
    ) {
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        var t = 0
        while t < kv {
            let c = load(x0 + t)
            a0 = fma(a0, c, load(w0 + t)); a1 = fma(a1, c, load(w1 + t))
            a2 = fma(a2, c, load(w2 + t)); a3 = fma(a3, c, load(w3 + t))
            t &+= 16
        }
        var s = hsum4(a0, a1, a2, a3)
        while t < k {
            s += x0[t] * SIMD4(w0[t].float, w1[t].float, w2[t].float, w3[t].float)
            t &+= 1
        }
        add4(s, o)
    }

    /// One row of x against one row of w.
    @inline(__always)
    private static func dot<W: SmallGEMMWeight>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<W>, _ kv: Int, _ k: Int) -> Float {
        var acc = V()
        var t = 0
        while t < kv { acc = fma(acc, load(a + t), load(b + t)); t &+= 16 }
        var s = hsum(acc)
        while t < k { s += a[t] * b[t].float; t &+= 1 }
        return s
    }
}

/// A weight element `SmallGEMM` reads: sixteen at a time as `Float`s, or one.
protocol SmallGEMMWeight {
    static func load16(_ p: UnsafePointer<Self>) -> SIMD16<Float>
    var float: Float { get }
}

extension Float: SmallGEMMWeight {
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) var float: Float { self }
}

extension Float16: SmallGEMMWeight {
    /// One `vcvtph2ps` from memory on x86-64 with F16C (LLVM makes the sixteen scalar
    /// conversions one vector conversion). Not `SIMD16<Float>(_: SIMD16<Float16>)`: that is
    /// the same instruction where it is inlined, but in `block4x4` the optimiser leaves it a
    /// call, and a call clobbers the sixteen accumulators (every vector register is
    /// caller-saved), which made the kernel three times slower than with `Float` weights.
    @inline(__always) static func load16(_ p: UnsafePointer<Float16>) -> SIMD16<Float> {
        let h = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float16>.self)
        var f = SIMD16<Float>()
        for i in 0..<16 { f[i] = Float(h[i]) }
        return f
    }
    @inline(__always) var float: Float { Float(self) }
}

extension SmallGEMM {
    /// `Float16` copies of `Float`s (rounded to nearest), sixteen at a time.
    static func half(_ v: UnsafeBufferPointer<Float>) -> [Float16] {
        [Float16](unsafeUninitializedCapacity: v.count) { out, count in
            let n = v.count, nv = n & ~15
            let src = UnsafeRawPointer(v.baseAddress!), dst = UnsafeMutableRawPointer(out.baseAddress!)
            var i = 0
            while i < nv {
                dst.storeBytes(
                    of: SIMD16<Float16>(src.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)),
                    toByteOffset: i &* 2, as: SIMD16<Float16>.self)
                i &+= 16
            }
            while i < n { out[i] = Float16(v[i]); i &+= 1 }
            count = n
        }
    }
}
