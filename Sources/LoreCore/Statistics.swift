/// Summary statistics for measurements (benchmarks, evaluations).
public enum Statistics {
    /// The p-th percentile of `xs` by nearest rank (0 for no values).
    public static func percentile(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s[min(s.count - 1, Int((p / 100 * Double(s.count - 1)).rounded()))]
    }
}
