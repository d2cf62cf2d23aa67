/// Structural diagnostics of the graph, for `lore index verify` and the benchmark.
extension HNSWIndex {
    /// Live nodes that layer 0 cannot reach from the entry point (no search can return
    /// them), and the live nodes in all.
    public func unreachableLiveNodes() -> (unreachable: Int, live: Int) {
        storageLock.read {
            let (entry, n) = labelLock.withLock { (entryPoint, nodeCount) }
            var live = 0
            for i in 0..<n where flags[i] & Self.removedFlag == 0 { live += 1 }
            guard entry >= 0 else { return (0, live) }
            var seen = [Bool](repeating: false, count: n)
            var stack = [entry]
            seen[entry] = true
            var reached = 0
            while let v = stack.popLast() {
                if flags[v] & Self.removedFlag == 0 { reached += 1 }
                let list = links(v, 0)
                for j in 0..<Int(list.pointee) {
                    let e = Int(list[1 + j])
                    if !seen[e] { seen[e] = true; stack.append(e) }
                }
            }
            return (live - reached, live)
        }
    }
}
