/// One thing `GET /readyz` checks (the store opens, the index is loaded, the generation
/// backend answers). The composition root supplies them.
public struct ReadinessCheck: Sendable {
    public var name: String
    /// Nil when ready, else what is wrong.
    public var check: @Sendable () async -> String?

    public init(_ name: String, _ check: @escaping @Sendable () async -> String?) {
        self.name = name
        self.check = check
    }
}
