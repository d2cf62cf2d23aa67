import LoreCore

extension PromptRegistry {
    /// `name@version`, or `name` for its default version. Throws `PromptError` listing what
    /// exists when the name or version is unknown.
    public func template(_ reference: String) throws -> PromptTemplate {
        let (name, version) = try Self.parseReference(reference)
        return try template(name: name, version: version)
    }

    /// The named version, or the default one when `version` is nil.
    public func template(name: String, version: String? = nil) throws -> PromptTemplate {
        guard let versions = templates[name] else { throw PromptError.unknownName(name, available: references) }
        let v = version ?? defaults[name]!
        guard let t = versions[v] else {
            throw PromptError.unknownVersion(name: name, version: v, available: self.versions(of: name).map { "\(name)@\($0)" })
        }
        return t
    }

    /// The template to use for one request. `name@version` pins a version. A plain `name`
    /// with an A/B split and a non-empty `key` (a user or session id) gets the version the
    /// split assigns to that key: always the same one for the same key and weights (the live
    /// weights of a bandit, when it has set them). Without a split, or without a key, it is
    /// the default version (never a random draw).
    public func select(_ reference: String, key: String? = nil) throws -> PromptTemplate {
        let (name, version) = try Self.parseReference(reference)
        if version == nil, let key, !key.isEmpty, let split = live?.split(name) ?? splits[name] {
            return try template(name: name, version: split.version(forKey: key))
        }
        return try template(name: name, version: version)
    }

    /// The default version of `name` (nil for an unknown name).
    public func defaultVersion(of name: String) -> String? { defaults[name] }

    /// Splits `name@version` (or `name`).
    public static func parseReference(_ reference: String) throws -> (name: String, version: String?) {
        let parts = reference.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty, !name.contains(where: \.isWhitespace) else {
            throw PromptError.invalidReference(reference)
        }
        guard parts.count == 2 else { return (String(name), nil) }
        guard !parts[1].isEmpty, !parts[1].contains("@"), !parts[1].contains(where: \.isWhitespace) else {
            throw PromptError.invalidReference(reference)
        }
        return (String(name), String(parts[1]))
    }
}

/// A weighted A/B split of one prompt name's versions, sticky per key.
///
/// A key is hashed with the name (SHA-256 of `name`, U+001F, `key`) to a point in [0, 1);
/// the versions, in natural order, own consecutive intervals proportional to their weights.
/// The same key and weights always give the same version, across restarts and replicas; over
/// many keys each version's share approaches its weight; a 0 weight is never chosen. Changing
/// the weights moves only the keys whose points fall in the intervals that changed hands.
public struct PromptSplit: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    /// version → weight (non-negative, positive sum).
    public let weights: [String: Int]
    /// Versions in the order their intervals are laid out.
    public let order: [String]
    public let total: Int

    public init(name: String, weights: [String: Int]) {
        self.name = name
        self.weights = weights
        self.order = VersionOrder.sorted(weights.keys)
        self.total = weights.values.reduce(0, +)
    }

    /// The version assigned to `key`.
    public func version(forKey key: String) -> String {
        let target = Self.point(name: name, key: key) * Double(total)
        var cumulative = 0
        for v in order {
            let w = weights[v]!
            cumulative += w
            if w > 0 && target < Double(cumulative) { return v }
        }
        // Rounding at the very top of the range: the last version with a positive weight.
        return order.last { weights[$0]! > 0 }!
    }

    /// The key's point in [0, 1): the first 53 bits of SHA-256(name, U+001F, key). A/B
    /// splits, shadow sampling and canary routing all place keys with it.
    public static func point(name: String, key: String) -> Double {
        var h = SHA256()
        h.update(Array(name.utf8))
        h.update([0x1F])
        h.update(Array(key.utf8))
        let digest = h.finalize()
        var x: UInt64 = 0
        for b in digest.prefix(8) { x = x << 8 | UInt64(b) }
        return Double(x >> 11) * 0x1p-53
    }

    /// `answer: v1=90 v2=10`.
    public var description: String { "\(name): " + order.map { "\($0)=\(weights[$0]!)" }.joined(separator: " ") }
}

/// Natural order of version names: digit runs compare as numbers (v2 < v10).
public enum VersionOrder {
    public static func sorted(_ versions: some Sequence<String>) -> [String] { versions.sorted(by: less) }

    public static func less(_ a: String, _ b: String) -> Bool {
        let x = chunks(a), y = chunks(b)
        for (p, q) in zip(x, y) where p != q {
            if let m = Int(p), let n = Int(q) { return m != n ? m < n : p < q }
            return p < q
        }
        return x.count != y.count ? x.count < y.count : a < b
    }

    private static func chunks(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var digits = false
        for c in s {
            let d = c.isASCII && c.isNumber
            if !current.isEmpty && d != digits { out.append(current); current = "" }
            current.append(c)
            digits = d
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
