import LoreCore

/// An API key as clients present it: `lore_<id>_<secret>`, where `id` is 16 lowercase hex
/// digits (64 random bits, public, the store's lookup key) and `secret` 64 lowercase hex
/// digits (256 random bits). The store keeps only the SHA-256 of the secret: a fast hash is
/// enough for a 256-bit random secret (as for GitHub or Stripe tokens); it is compared in
/// constant time.
public struct APIKeyToken: Sendable, Equatable {
    public var id: String
    public var secret: String

    /// The whole key, as clients send it in `Authorization: Bearer`.
    public var text: String { "lore_\(id)_\(secret)" }

    /// A new key from the system's random number generator (getrandom(2) on Linux).
    public static func generate() -> APIKeyToken {
        var rng = SystemRandomNumberGenerator()
        return APIKeyToken(id: hex(randomBytes(8, &rng)), secret: hex(randomBytes(32, &rng)))
    }

    /// The key in `text`, or nil when it is not of the form `lore_<16 hex>_<64 hex>`.
    public init?(parsing text: some StringProtocol) {
        let parts = String(text).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lore", parts[1].utf8.count == 16, parts[2].utf8.count == 64,
            Self.isHex(parts[1]), Self.isHex(parts[2])
        else { return nil }
        id = String(parts[1])
        secret = String(parts[2])
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The lowercase hex SHA-256 of the secret, as stored.
    public var secretSHA256: String { SHA256.hex(of: Array(secret.utf8)) }

    /// Whether the secret hashes to `storedSHA256`, in time independent of where they differ.
    public func matches(storedSHA256: String) -> Bool {
        let a = Array(secretSHA256.utf8), b = Array(storedSHA256.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    private static func isHex(_ s: Substring) -> Bool { s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }

    private static func randomBytes(_ n: Int, _ rng: inout SystemRandomNumberGenerator) -> [UInt8] {
        (0..<n).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
