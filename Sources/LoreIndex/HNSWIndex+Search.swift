import CVectorHints

/// Queries: a greedy descent through the upper layers, then a best-first search of
/// layer 0 with `ef` candidates that skips tombstones, pending nodes and labels outside
/// the allow-set, and goes on until it holds `k` results that may be returned.
extension HNSWIndex {
    public func search(_ query: UnsafePointer<Float>, k: Int, allow: AllowSet?) -> [SearchHit] {
        search(query, k: k, ef: efSearch, allow: allow)
    }

    /// A search with an explicit candidate list size.
    public func search(_ query: UnsafePointer<Float>, k: Int, ef: Int, allow: AllowSet?) -> [SearchHit] {
        storageLock.read {
            let (entry, top, nodes, hasRemoved) = labelLock.withLock { (entryPoint, maxLevel, nodeCount, removedCount > 0) }
            guard k > 0, entry >= 0 else { return [] }
            // A selective filter is answered exactly from the allowed labels.
            if let allow, allow.count * 16 < nodes { return exactSearch(query, k: k, allow: allow) }

            var current = entry
            var currentDistance = distance(query, current)
            for l in stride(from: top, to: 0, by: -1) {
                var changed = true
                while changed {
                    changed = false
                    let list = links(current, l)
                    let n = Int(list.pointee)
                    for j in 0..<n {
                        let c = Int(list[1 + j])
                        let d = distance(query, c)
                        if d < currentDistance { currentDistance = d; current = c; changed = true }
                    }
                }
            }
            var results = searchLayer0(
                query, entry: current, ef: max(ef, k), allow: allow,
                filtering: hasRemoved || allow != nil)
            while results.count > k { results.pop() }
            var hits: [SearchHit] = []
            hits.reserveCapacity(results.count)
            while !results.isEmpty {
                let key = results.pop()
                hits.append(SearchHit(label: nodeLabels[Int(HeapKey.id(key))], score: 1 - HeapKey.farDistance(key)))
            }
            return hits.reversed()
        }
    }

    @inline(__always) private func returnable(_ i: Int, _ allow: AllowSet?) -> Bool {
        guard flags[i] == 0 else { return false }
        if let allow { return allow.contains(nodeLabels[i]) }
        return true
    }

    /// hnswlib's `searchBaseLayerST`: no locks (links are read as inserts write them, as
    /// hnswlib does); nodes that may not be returned still route.
    private func searchLayer0(_ q: UnsafePointer<Float>, entry: Int, ef: Int, allow: AllowSet?, filtering: Bool) -> KeyHeap {
        let visited = visitedPool.get(capacity: capacity)
        defer { visitedPool.put(visited) }
        var top = KeyHeap(capacity: ef + 1)
        var candidates = KeyHeap(capacity: ef * 2)
        let d0 = distance(q, entry)
        var lowerBound = Float.infinity
        if returnable(entry, allow) {
            top.push(HeapKey.far(d0, UInt32(entry)))
            lowerBound = d0
        }
        candidates.push(HeapKey.near(d0, UInt32(entry)))
        _ = visited.visit(entry)
        let pending = UnsafeMutablePointer<UInt32>.allocate(capacity: maxM0)
        defer { pending.deallocate() }
        while !candidates.isEmpty {
            let c = candidates.top
            let cd = HeapKey.nearDistance(c)
            if cd > lowerBound && (top.count == ef || !filtering) { break }
            candidates.pop()
            let list = links(Int(HeapKey.id(c)), 0)
            let n = Int(list.pointee)
            // First the unvisited neighbours, with a prefetch of each one's record, so that
            // their cache misses overlap; then the distances.
            var fresh = 0
            for j in 0..<n {
                let e = Int(list[1 + j])
                if visited.visit(e) { continue }
                let record = UnsafeRawPointer(records + e &* recordBytes)
                lore_prefetch(record); lore_prefetch(record + 64); lore_prefetch(record + 128); lore_prefetch(record + 192)
                pending[fresh] = UInt32(e)
                fresh &+= 1
            }
            for t in 0..<fresh {
                let e = Int(pending[t])
                if t &+ 1 < fresh {
                    let next = UnsafeRawPointer(records + Int(pending[t &+ 1]) &* recordBytes)
                    lore_prefetch(next + 256); lore_prefetch(next + 320)
                }
                let d = distance(q, e)
                if top.count < ef || d < lowerBound {
                    candidates.push(HeapKey.near(d, UInt32(e)))
                    if returnable(e, allow) { top.push(HeapKey.far(d, UInt32(e))) }
                    if top.count > ef { top.pop() }
                    if !top.isEmpty { lowerBound = HeapKey.farDistance(top.top) }
                }
            }
        }
        return top
    }

    /// Exact search over the allowed labels.
    private func exactSearch(_ q: UnsafePointer<Float>, k: Int, allow: AllowSet) -> [SearchHit] {
        let nodes = labelLock.withLock { allow.compactMap { labelToNode[$0] } }
        var top = TopK(k: k)
        for node in nodes where flags[Int(node)] == 0 {
            top.push(VectorKernels.dot(q, vector(Int(node)), dimension), nodeLabels[Int(node)])
        }
        return top.sorted()
    }

    /// Searches many queries, split over `threads` threads.
    public func search(batch queries: UnsafePointer<Float>, count: Int, k: Int, ef: Int? = nil, threads: Int = indexThreads)
        -> [[SearchHit]]
    {
        let out = UnsafeMutableBufferPointer<[SearchHit]>.allocate(capacity: count)
        out.initialize(repeating: [])
        defer { out.deallocate() }
        let ef = ef ?? efSearch
        parallelRanges(count, parts: threads) { range in
            for i in range { out[i] = self.search(queries + i * self.dimension, k: k, ef: ef, allow: nil) }
        }
        return Array(out)
    }
}
