/// How Lore chooses, builds and maintains a collection's index (configuration `index.*`).
public struct IndexSettings: Sendable, Equatable {
    /// A fixed kind, or nil to choose by size: flat below `hnswThreshold` vectors, HNSW from it.
    public var kind: IndexKind?
    public var hnswThreshold: Int
    public var hnsw: HNSWParameters
    /// Rebuild an HNSW graph when tombstones pass this share of its nodes.
    public var rebuildTombstoneShare: Double
    /// Bytes per stored snapshot part.
    public var partBytes: Int

    public init(
        kind: IndexKind? = nil, hnswThreshold: Int = 5_000, hnsw: HNSWParameters = HNSWParameters(),
        rebuildTombstoneShare: Double = 0.2, partBytes: Int = SnapshotCodec.defaultPartBytes
    ) {
        self.kind = kind
        self.hnswThreshold = hnswThreshold
        self.hnsw = hnsw
        self.rebuildTombstoneShare = rebuildTombstoneShare
        self.partBytes = partBytes
    }

    public func validate() throws {
        try hnsw.validate()
        guard hnswThreshold >= 0 else { throw IndexError("index.hnsw_threshold must be 0 or more, got \(hnswThreshold)") }
        guard rebuildTombstoneShare > 0, rebuildTombstoneShare <= 1 else {
            throw IndexError("index.rebuild_tombstone_share must be in (0, 1], got \(rebuildTombstoneShare)")
        }
        guard partBytes >= 4096, partBytes <= 256 << 20 else { throw IndexError("index part size must be between 4 KiB and 256 MiB") }
    }

    /// The kind for a collection of `count` vectors.
    public func kind(for count: Int) -> IndexKind { kind ?? (count >= hnswThreshold ? .hnsw : .flat) }
}
