import LoreCore

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
        guard (1...10_000).contains(efConstruction) else {
            throw IndexError("hnsw.ef_construction must be between 1 and 10000, got \(efConstruction)")
        }
        guard (1...10_000).contains(efSearch) else { throw IndexError("hnsw.ef_search must be between 1 and 10000, got \(efSearch)") }
    }
}

/// The level generator is LoreCore's `SeededRandom` (SplitMix64; hnswlib uses a seeded
/// `std::default_random_engine`).
extension SeededRandom {
    /// Uniform in (0, 1].
    mutating func unit() -> Double { (Double(next() >> 11) + 1) / 9_007_199_254_740_992.0 }
}
