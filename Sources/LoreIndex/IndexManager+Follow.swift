import LoreStore

extension IndexManager {
    /// Brings an index already in service up to date with the store: applies the vector
    /// changes logged after `seq` (each changed chunk removed, then added back with its
    /// current vector if it still has one in the collection), in one read transaction.
    /// Searches may run meanwhile. Returns the log head the index is now current with,
    /// the `seq` to pass next time.
    public func follow(_ index: any VectorIndex, collectionID: Int64, after seq: Int64) throws -> Int64 {
        try readTransaction {
            let head = try logHead()
            _ = try replay(into: index, collectionID: collectionID, after: seq)
            return head
        }
    }
}
