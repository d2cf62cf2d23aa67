import Synchronization

/// Construction: the layer search with per-node locks, the neighbour heuristic, and the
/// two-way linking of a new node (hnswlib's `searchBaseLayer`,
/// `getNeighborsByHeuristic2` and `mutuallyConnectNewElement`).
extension HNSWIndex {
    /// The `efConstruction` nearest nodes to `q` on `level`, from `entry`, as a max-heap
    /// of far-keys. Removed nodes route but are not returned.
    func searchForInsert(_ q: UnsafePointer<Float>, entry: Int, level: Int) -> KeyHeap {
        let ef = parameters.efConstruction
        let visited = visitedPool.get(capacity: capacity)
        defer { visitedPool.put(visited) }
        var top = KeyHeap(capacity: ef + 1)
        var candidates = KeyHeap(capacity: ef * 2)
        let d0 = distance(q, entry)
        var lowerBound = Float.infinity
        if flags[entry] & Self.removedFlag == 0 {
            top.push(HeapKey.far(d0, UInt32(entry)))
            lowerBound = d0
        }
        candidates.push(HeapKey.near(d0, UInt32(entry)))
        _ = visited.visit(entry)
        let maxLinks = level == 0 ? maxM0 : maxM
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: maxLinks) { buffer in
            while !candidates.isEmpty {
                let c = candidates.top
                let cd = HeapKey.nearDistance(c)
                if cd > lowerBound && top.count == ef { break }
                candidates.pop()
                let n = copyLinks(Int(HeapKey.id(c)), level, into: buffer.baseAddress!)
                for j in 0..<n {
                    let e = Int(buffer[j])
                    if visited.visit(e) { continue }
                    let d = distance(q, e)
                    if top.count < ef || d < lowerBound {
                        candidates.push(HeapKey.near(d, UInt32(e)))
                        if flags[e] & Self.removedFlag == 0 { top.push(HeapKey.far(d, UInt32(e))) }
                        if top.count > ef { top.pop() }
                        if !top.isEmpty { lowerBound = HeapKey.farDistance(top.top) }
                    }
                }
            }
        }
        return top
    }

    /// hnswlib's heuristic: walk the candidates from the nearest; keep one only if it is
    /// nearer to the base than to every one kept so far; stop at `m`. Returns ids with
    /// their distance to the base, nearest first (ties: newest first).
    func selectNeighbours(_ candidates: inout KeyHeap, m: Int) -> [(id: Int, distance: Float)] {
        var ascending: [(id: Int, distance: Float)] = []
        ascending.reserveCapacity(candidates.count)
        while !candidates.isEmpty {
            let k = candidates.pop()
            ascending.append((Int(HeapKey.id(k)), HeapKey.farDistance(k)))
        }
        // Nearest first; among equal distances the newest node first, as hnswlib's queue of
        // (-distance, id) pops them. With exact duplicates (repeated boilerplate chunks) the
        // order matters: oldest-first makes every new twin link to the same few old ones,
        // which then prune the newer twins away, and the graph loses reachability.
        ascending.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id > $1.id }
        if ascending.count < m { return ascending }
        var kept: [(id: Int, distance: Float)] = []
        kept.reserveCapacity(m)
        for c in ascending {
            if kept.count >= m { break }
            let v = vector(c.id)
            var good = true
            for r in kept {
                let d = 1 - VectorKernels.dot(v, vector(r.id), dimension)
                // hnswlib's rule, plus one of Lore's: a twin (an exact or near-exact
                // duplicate) of a neighbour already kept is dropped even when it is as close
                // to the base. Without it, repeated chunks form cliques whose lists hold only
                // each other, and a search that enters one cannot leave.
                if d < c.distance || d <= Self.twinDistance {
                    good = false
                    break
                }
            }
            if good { kept.append(c) }
        }
        return kept
    }

    /// Links `node` to its chosen neighbours on `level` and each of them back, re-pruning a
    /// neighbour's full list with the heuristic. Returns the nearest neighbour, the entry
    /// point for the next layer down. The caller holds `node`'s lock.
    func connect(_ node: Int, _ q: UnsafePointer<Float>, candidates: KeyHeap, level: Int) -> Int {
        var heap = candidates
        let selected = selectNeighbours(&heap, m: maxM)
        let own = links(node, level)
        own.pointee = UInt32(selected.count)
        for (j, s) in selected.enumerated() { own[1 + j] = UInt32(s.id) }

        let capacityHere = level == 0 ? maxM0 : maxM
        for s in selected {
            nodeLocks.withLock(s.id) {
                let list = links(s.id, level)
                let n = Int(list.pointee)
                if n < capacityHere {
                    list[1 + n] = UInt32(node)
                    list.pointee = UInt32(n + 1)
                    return
                }
                // Full: the old neighbours and the new node compete under the heuristic.
                let base = vector(s.id)
                var pool = KeyHeap(capacity: n + 1)
                pool.push(HeapKey.far(s.distance, UInt32(node)))
                for j in 1...n {
                    let e = Int(list[j])
                    pool.push(HeapKey.far(1 - VectorKernels.dot(base, vector(e), dimension), UInt32(e)))
                }
                let kept = selectNeighbours(&pool, m: capacityHere)
                list.pointee = UInt32(kept.count)
                for (j, k) in kept.enumerated() { list[1 + j] = UInt32(k.id) }
            }
        }
        // The next layer starts from the nearest selected neighbour (the lowest id among
        // equals, as hnswlib's `selectedNeighbors.back()`).
        return selected.min { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id < $1.id }?.id ?? node
    }
}
