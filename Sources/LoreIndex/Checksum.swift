/// A fast 64-bit checksum of index parts: four independent multiply-rotate lanes over
/// 8-byte words (the structure of xxHash64, not its exact output), then a mix of the
/// lanes, the tail and the length. It detects corruption; it is not a cryptographic hash.
public enum Checksum {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = (a << 31) | (a >> 33)
        return a &* p1
    }

    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return p4 }
        var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
        var i = 0
        while i + 32 <= n {
            v1 = round(v1, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            v2 = round(v2, base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            v3 = round(v3, base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            v4 = round(v4, base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        var h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
        h = (h ^ round(0, v1)) &* p1 &+ p4
        h = (h ^ round(0, v2)) &* p1 &+ p4
        h = (h ^ round(0, v3)) &* p1 &+ p4
        h = (h ^ round(0, v4)) &* p1 &+ p4
        h &+= UInt64(n)
        while i + 8 <= n {
            h ^= round(0, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = ((h << 27) | (h >> 37)) &* p1 &+ p4
            i += 8
        }
        while i < n {
            h ^= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &* p3
            h = ((h << 11) | (h >> 53)) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }
}
