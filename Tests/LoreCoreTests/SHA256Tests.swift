import LoreCore
import Testing

/// SHA-256 against the FIPS 180-4 example vectors, and the streaming interface.
@Suite("SHA-256")
struct SHA256Tests {
    static let vectors: [(message: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        // 448 bits: the padding no longer fits in the same block.
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        // 896 bits: two full blocks.
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        )
    ]

    @Test("FIPS 180-4 example messages hash to their published digests", arguments: 0..<4)
    func fipsVector(_ index: Int) {
        let (message, digest) = Self.vectors[index]
        #expect(SHA256.hex(of: Array(message.utf8)) == digest)
    }

    @Test("one million 'a' hashes to the published digest")
    func oneMillionA() {
        let data = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(of: data) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("one million 'a' fed in 1000-byte pieces gives the same digest")
    func oneMillionAStreamed() {
        var h = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(piece) }
        #expect(h.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("the digest is 32 bytes and its hex form is 64 lower-case digits")
    func digestShape() {
        var h = SHA256()
        h.update(Array("abc".utf8))
        let bytes = h.finalize()
        #expect(bytes.count == 32)
        #expect(bytes.prefix(4) == [0xba, 0x78, 0x16, 0xbf])
        let hex = SHA256.hex(of: Array("abc".utf8))
        #expect(hex.count == 64)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
    }

    /// Lengths around the block (64) and padding (56) boundaries, cut at odd places.
    @Test(
        "incremental updates across odd boundaries equal the one-shot digest",
        arguments: [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000])
    func incrementalEqualsOneShot(_ length: Int) {
        var rng = LCG(seed: UInt64(length) &+ 7)
        let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let expected = SHA256.hex(of: data)
        for cuts in [[1], [3, 5, 7], [63, 1, 2], [64], [13, 64, 17], [31, 33, 65]] {
            var h = SHA256()
            var i = 0, k = 0
            while i < length {
                let n = min(cuts[k % cuts.count], length - i)
                h.update(data[i..<(i + n)])
                i += n
                k += 1
            }
            h.update([UInt8]())  // an empty update changes nothing
            #expect(h.finalizeHex() == expected, "length \(length), pieces \(cuts)")
        }
    }

    @Test("collections without contiguous storage hash like arrays")
    func nonContiguousInput() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let lazy = data.lazy.map { $0 }  // no contiguous storage
        var h = SHA256()
        h.update(lazy.prefix(10))
        h.update(lazy.dropFirst(10))
        #expect(h.finalizeHex() == SHA256.hex(of: data))
        #expect(SHA256.hex(of: lazy) == SHA256.hex(of: data))
    }

    @Test("different inputs give different digests")
    func sensitivity() {
        #expect(SHA256.hex(of: Array("abc".utf8)) != SHA256.hex(of: Array("abd".utf8)))
        #expect(SHA256.hex(of: [0]) != SHA256.hex(of: []))
    }
}

/// A tiny deterministic generator for test data.
struct LCG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
}
