/// `Duration` in the units Lore's clients and metrics take.
extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration in nanoseconds, saturating.
    public var nanoseconds: Int64 {
        let (s, a) = (components.seconds, components.attoseconds)
        guard s < Int64.max / 1_000_000_000 else { return Int64.max }
        return s * 1_000_000_000 + a / 1_000_000_000
    }
}
