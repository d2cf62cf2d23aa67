/// HNSW's parameters, with hnswlib's meanings and defaults.
public struct HNSWParameters: Sendable, Codable, Equatable {
    /// Links per node on the upper layers; layer 0 keeps `2 * m`.
    public var m: Int = 16
    /// Candidates kept while inserting.
    public var efConstruction: Int = 200
    /// Candidates kept while searching (at least `k`).
    public var efSearch: Int = 64
    /// Seed of the level generator, so that builds are reproducible.
    public var seed: UInt64 = 100

    public init(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64, seed: UInt64 = 100) {
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        self.seed = seed
    }

    /// Checks the values, naming the one that is out of range.
    public func validate() throws {
        guard (2...256).contains(m) else { throw IndexError("hnsw.m must be between 2 and 256, got \(m)") }
        guard (1...10_000).contains(efConstruction) else { throw IndexError("hnsw.ef_construction must be between 1 and 10000, got \(efConstruction)") }
        guard (1...10_000).contains(efSearch) else { throw IndexError("hnsw.ef_search must be between 1 and 10000, got \(efSearch)") }
    }
}

/// SplitMix64: the level generator (hnswlib uses a seeded `std::default_random_engine`).
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func unit() -> Double { (Double(next() >> 11) + 1) / 9_007_199_254_740_992.0 }
}
