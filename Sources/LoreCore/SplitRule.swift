/// The committed rule that splits every labelled set (golden questions, guardrail sets) into
/// a development part, which anyone tuning Lore may read, and a sealed part, which CI scores
/// and reports only as aggregates: an item is sealed when the first byte of
/// SHA-256("lore-split-v1:" + id) is odd. The same rule in Python:
/// `hashlib.sha256(("lore-split-v1:" + id).encode()).digest()[0] % 2 == 1`.
public enum SplitPart: String, Sendable, CaseIterable, Codable {
    case all, dev, sealed

    /// The part `id` belongs to (never `.all`).
    public static func of(_ id: String) -> SplitPart {
        var h = SHA256()
        h.update(Array(("lore-split-v1:" + id).utf8))
        return h.finalize()[0] % 2 == 1 ? .sealed : .dev
    }

    /// Whether `id` is in this part.
    public func includes(_ id: String) -> Bool { self == .all || Self.of(id) == self }
}
