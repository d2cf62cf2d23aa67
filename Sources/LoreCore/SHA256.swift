import Crypto

/// SHA-256 (FIPS 180-4), used for content hashes of files, documents and chunk texts, API
/// key secrets, prompt and classifier versions and published versions' manifests.
///
/// A thin wrapper over swift-crypto's `SHA256` (BoringSSL's implementation on Linux, with
/// its SHA-NI and AVX2 assembly), keeping Lore's small API: a hex digest in one call,
/// incremental updates from any collection of bytes, the digest as bytes or as hex.
/// Checked against the FIPS test vectors (`SHA256Tests`).
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    public init() {}

    /// The hex digest of `bytes`.
    public static func hex(of bytes: some Collection<UInt8>) -> String {
        var h = SHA256()
        h.update(bytes)
        return h.finalizeHex()
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) != nil { return }
        // Not contiguous: copy first.
        Array(bytes).withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// Finishes and returns the 32-byte digest. The hasher starts over afterwards.
    public mutating func finalize() -> [UInt8] {
        let digest = hasher.finalize()
        hasher = Crypto.SHA256()
        return Array(digest)
    }

    /// Finishes and returns the digest as lower-case hex. The hasher starts over afterwards.
    public mutating func finalizeHex() -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var s: [UInt8] = []
        s.reserveCapacity(64)
        for b in finalize() { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
        return String(decoding: s, as: UTF8.self)
    }
}
