import Testing

@testable import LoreIndex

/// `Checksum` is XXH64 with seed 0, byte for byte.
@Suite("Checksum (XXH64)")
struct ChecksumTests {
    /// The test input of length n: byte i is (31·i + 7) mod 256.
    static func input(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    /// Expected values produced by the reference implementation, Python's `xxhash` 4.1.0
    /// from PyPI (libxxhash 0.8), with
    ///
    ///     python3 -m venv /tmp/xxv && /tmp/xxv/bin/pip install xxhash
    ///     /tmp/xxv/bin/python -c 'import xxhash
    ///     for n in [0,1,3,4,8,12,15,31,32,33,64,65,100,1000]:
    ///         print(n, hex(xxhash.xxh64(bytes((i*31+7)&0xff for i in range(n)), seed=0).intdigest()))'
    ///
    /// The lengths cover every branch: empty, the 1-byte, 4-byte and 8-byte tails, and the
    /// 32-byte stripes with and without a tail.
    static let vectors: [(Int, UInt64)] = [
        (0, 0xEF46_DB37_51D8_E999),
        (1, 0xA96C_7F0C_E858_BBB7),
        (3, 0x56E6_9576_32A4_87F9),
        (4, 0xC60D_15B1_E3FF_8F04),
        (8, 0x3DA5_C7AA_2696_83E0),
        (12, 0x8FE8_AB1C_1FD0_666E),
        (15, 0xAE2A_37EB_9357_CAA7),
        (31, 0x4A74_F3A1_A39A_D4A1),
        (32, 0x8D57_D6A4_671C_C43D),
        (33, 0x62C9_FD21_ED85_7664),
        (64, 0x7BBA_BBC4_5729_D17E),
        (65, 0xF398_0C34_BAE6_5DC1),
        (100, 0xEFA0_AD2D_3E70_C151),
        (1000, 0x9959_4F48_2804_3D35)
    ]

    @Test("matches the reference implementation at every length class")
    func referenceVectors() {
        for (n, expected) in Self.vectors {
            #expect(Checksum.of(Self.input(n)) == expected, "length \(n)")
        }
    }

    @Test("matches the values published with xxHash")
    func published() {
        // XXH64 of the empty input and of "abc", seed 0, from xxHash's documentation and tests.
        #expect(Checksum.of([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(Checksum.of(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
    }

    @Test("unaligned buffers hash like aligned ones")
    func unaligned() {
        let bytes = [0xFF] + Self.input(1000)
        for (n, expected) in Self.vectors where n > 0 {
            let got = bytes.withUnsafeBytes { Checksum.of(UnsafeRawBufferPointer(rebasing: $0[1...n])) }
            #expect(got == expected, "length \(n) at offset 1")
        }
    }
}
