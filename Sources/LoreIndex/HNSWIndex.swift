import Foundation
import LoreCore
import Synchronization

/// Hierarchical navigable small-world graph, after hnswlib (Malkov & Yashunin).
///
/// Faithful to hnswlib's algorithm: a node's level is ⌊-ln(U) / ln M⌋; layer 0 keeps
/// `2M` links and the upper layers `M`; neighbours are chosen by the heuristic (a candidate
/// is kept only if it is closer to the new node than to every neighbour kept so far);
/// a full neighbour list is re-pruned by the same heuristic; visited marks are reset by
/// epoch. Inserts run in parallel with a lock per node, as hnswlib's do.
///
/// Layout: node `i`'s vector and its layer-0 link list share one 64-byte-aligned record
/// (`recordBytes` bytes), so a visit touches consecutive cache lines; labels, levels and flags
/// are parallel arrays; upper-layer links are one block per node with a level above 0.
/// Distances are `1 - dot` (vectors are L2-normalised), scores `dot`.
///
/// Removal is a tombstone: the node keeps routing searches but is never returned, and a
/// search continues until it has `k` live results.
public final class HNSWIndex: VectorIndex, @unchecked Sendable {
    public let kind = IndexKind.hnsw
    public let dimension: Int
    public let parameters: HNSWParameters
    /// Search-time candidate list size; may be changed between searches.
    public var efSearch: Int

    let maxM: Int
    let maxM0: Int
    let levelMultiplier: Double
    let vectorBytes: Int
    let recordBytes: Int

    // Storage, sized to `capacity` nodes.
    private(set) var capacity: Int
    var records: UnsafeMutableRawPointer
    var nodeLabels: UnsafeMutablePointer<Int64>
    var nodeLevels: UnsafeMutablePointer<Int32>
    /// 1: removed (tombstone); 2: being inserted, not yet searchable.
    var flags: UnsafeMutablePointer<UInt8>
    var upper: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    /// The single block upper links were loaded into (nil after a build).
    var upperPool: UnsafeMutablePointer<UInt32>?
    var upperPoolCount = 0

    var nodeCount = 0
    var labelToNode: [Int64: UInt32] = [:]
    var entryPoint: Int = -1
    var maxLevel: Int = -1
    var removedCount = 0
    var rng: SeededRandom

    let storageLock = ReadWriteLock()
    /// Guards `labelToNode`, `nodeCount`, `removedCount`, `flags` and the node claims.
    let labelLock = Mutex(())
    /// Held through an insert that raises the top level (hnswlib's `global`).
    let globalLock = Mutex(())
    var nodeLocks: NodeLocks
    let visitedPool = VisitedListPool()

    /// Below this distance (cosine above 0.999999) two vectors count as twins.
    static let twinDistance: Float = 1e-6
    static let removedFlag: UInt8 = 1
    static let pendingFlag: UInt8 = 2

    public init(dimension: Int, parameters: HNSWParameters = HNSWParameters(), capacity: Int = 1024) {
        self.dimension = dimension
        self.parameters = parameters
        efSearch = parameters.efSearch
        maxM = parameters.m
        maxM0 = 2 * parameters.m
        levelMultiplier = 1 / log(Double(max(parameters.m, 2)))
        vectorBytes = dimension * 4
        recordBytes = (dimension * 4 + (1 + 2 * parameters.m) * 4 + 63) / 64 * 64
        rng = SeededRandom(seed: parameters.seed)
        self.capacity = max(capacity, 16)
        records = UnsafeMutableRawPointer.allocate(byteCount: self.capacity * recordBytes, alignment: 64)
        nodeLabels = .allocate(capacity: self.capacity)
        nodeLevels = .allocate(capacity: self.capacity)
        flags = .allocate(capacity: self.capacity)
        upper = .allocate(capacity: self.capacity)
        upper.initialize(repeating: nil, count: self.capacity)
        nodeLocks = NodeLocks(capacity: self.capacity)
    }

    deinit {
        freeUpperLinks()
        records.deallocate()
        nodeLabels.deallocate()
        nodeLevels.deallocate()
        flags.deallocate()
        upper.deallocate()
    }

    func freeUpperLinks() {
        let poolRange = upperPool.map { UnsafeMutablePointer<UInt32>($0)..<($0 + upperPoolCount) }
        for i in 0..<nodeCount {
            guard let p = upper[i] else { continue }
            if let poolRange, poolRange.contains(p) { continue }
            p.deallocate()
        }
        upperPool?.deallocate()
        upperPool = nil
        upperPoolCount = 0
    }

    // MARK: Accessors

    @inline(__always) func vector(_ i: Int) -> UnsafePointer<Float> {
        UnsafePointer((records + i &* recordBytes).assumingMemoryBound(to: Float.self))
    }

    /// The link list of node `i` at `level`: a count, then up to M (M0 on layer 0) node ids.
    @inline(__always) func links(_ i: Int, _ level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 { return (records + (i &* recordBytes &+ vectorBytes)).assumingMemoryBound(to: UInt32.self) }
        return upper[i]! + (level &- 1) &* (maxM &+ 1)
    }

    @inline(__always) func distance(_ q: UnsafePointer<Float>, _ i: Int) -> Float {
        1 - VectorKernels.dot(q, vector(i), dimension)
    }

    // MARK: VectorIndex

    public var count: Int { labelLock.withLock { labelToNode.count } }
    public var tombstones: Int { labelLock.withLock { removedCount } }
    /// Nodes in the graph, live and removed.
    public var nodes: Int { labelLock.withLock { nodeCount } }
    public var memoryBytes: Int {
        storageLock.read {
            var bytes = capacity * (recordBytes + 8 + 4 + 1 + 8 + 40) + labelToNode.capacity * 16
            for i in 0..<nodeCount where nodeLevels[i] > 0 { bytes += Int(nodeLevels[i]) * (maxM + 1) * 4 }
            return bytes
        }
    }

    public func contains(label: Int64) -> Bool { labelLock.withLock { labelToNode[label] != nil } }
    public func labels() -> [Int64] { labelLock.withLock { Array(labelToNode.keys) } }

    /// The share of nodes that are tombstones.
    public var tombstoneShare: Double {
        labelLock.withLock { nodeCount == 0 ? 0 : Double(removedCount) / Double(nodeCount) }
    }

    @discardableResult
    public func remove(label: Int64) -> Bool {
        labelLock.withLock {
            guard let node = labelToNode.removeValue(forKey: label) else { return false }
            flags[Int(node)] |= Self.removedFlag
            removedCount += 1
            return true
        }
    }

    /// A copy of the stored vector of `label`.
    public func vector(label: Int64) -> [Float]? {
        storageLock.read {
            guard let node = labelLock.withLock({ labelToNode[label] }) else { return nil }
            return Array(UnsafeBufferPointer(start: vector(Int(node)), count: dimension))
        }
    }

    /// Makes room for `n` nodes in all. Waits for searches and inserts in flight.
    public func reserve(_ n: Int) {
        guard n > capacity else { return }
        storageLock.write {
            guard n > capacity else { return }
            var newCapacity = capacity
            while newCapacity < n { newCapacity *= 2 }
            let r = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * recordBytes, alignment: 64)
            r.copyMemory(from: records, byteCount: nodeCount * recordBytes)
            records.deallocate(); records = r
            func grow<T>(_ p: inout UnsafeMutablePointer<T>) {
                let fresh = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
                fresh.moveInitialize(from: p, count: nodeCount)
                p.deallocate(); p = fresh
            }
            grow(&nodeLabels); grow(&nodeLevels); grow(&flags)
            let u = UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>.allocate(capacity: newCapacity)
            u.moveInitialize(from: upper, count: nodeCount)
            (u + nodeCount).initialize(repeating: nil, count: newCapacity - nodeCount)
            upper.deallocate(); upper = u
            nodeLocks.grow(to: newCapacity)
            capacity = newCapacity
        }
    }

    // MARK: Insert

    public func add(label: Int64, vector: UnsafePointer<Float>) {
        while true {
            if labelLock.withLock({ nodeCount }) >= capacity { reserve(capacity * 2) }
            let inserted = storageLock.read { insert(label: label, vector: vector) }
            if inserted { return }
        }
    }

    /// Adds `labels.count` vectors (rows of `vectors`) on `threads` threads.
    public func add(labels: [Int64], vectors: UnsafePointer<Float>, threads: Int = indexThreads) {
        guard !labels.isEmpty else { return }
        reserve(labels.count + labelLock.withLock { nodeCount })
        // The first node alone, so that the others have an entry point.
        var start = 0
        if labelLock.withLock({ entryPoint < 0 }) {
            add(label: labels[0], vector: vectors)
            start = 1
        }
        let remaining = labels.count - start
        guard remaining > 0 else { return }
        let next = Mutex(start)
        parallelFor(max(1, min(threads, remaining))) { _ in
            while true {
                // Take work in small blocks, as hnswlib's ParallelFor takes one item at a time.
                let block = next.withLock { (next: inout Int) -> Range<Int> in
                    let s = next, e = min(labels.count, s + 16)
                    next = e
                    return s..<e
                }
                if block.isEmpty { return }
                for i in block { add(label: labels[i], vector: vectors + i * dimension) }
            }
        }
    }

    /// Copies node `i`'s links at `level` under its lock; returns how many.
    @inline(__always) func copyLinks(_ i: Int, _ level: Int, into buffer: UnsafeMutablePointer<UInt32>) -> Int {
        nodeLocks.withLock(i) {
            let list = links(i, level)
            let n = Int(list.pointee)
            buffer.update(from: list + 1, count: n)
            return n
        }
    }

    func randomLevel() -> Int { Int(-log(rng.unit()) * levelMultiplier) }

    /// Inserts under the shared storage lock; false when the storage is full (grow, retry).
    private func insert(label: Int64, vector v: UnsafePointer<Float>) -> Bool {
        let claimed: (node: Int, level: Int)? = labelLock.withLock {
            guard nodeCount < capacity else { return nil }
            // An update is a tombstone plus an insert.
            if let old = labelToNode[label] {
                flags[Int(old)] |= Self.removedFlag
                removedCount += 1
            }
            let node = nodeCount
            nodeCount += 1
            labelToNode[label] = UInt32(node)
            nodeLabels[node] = label
            flags[node] = Self.pendingFlag
            let level = randomLevel()
            nodeLevels[node] = Int32(level)
            return (node, level)
        }
        guard let (node, level) = claimed else { return false }

        nodeLocks.withLock(node) {
            // The global lock is held through the whole insert only when it raises the top
            // level; otherwise it is released once the top level has been read.
            let levelCopy = globalLock.withLock { () -> Int in
                let levelCopy = maxLevel
                if level > levelCopy { link(node: node, level: level, levelCopy: levelCopy, vector: v) }
                return levelCopy
            }
            if level <= levelCopy { link(node: node, level: level, levelCopy: levelCopy, vector: v) }
        }
        return true
    }

    /// The rest of an insert: the vector copied in, the node linked on each of its layers
    /// (from `levelCopy`, the top level when the insert began), the entry point moved if the
    /// node is above it, and the node published. The caller holds the node's lock, and the
    /// global lock when `level > levelCopy`.
    private func link(node: Int, level: Int, levelCopy: Int, vector v: UnsafePointer<Float>) {
        var current = entryPoint

        UnsafeMutableRawPointer(mutating: self.vector(node)).copyMemory(from: v, byteCount: vectorBytes)
        links(node, 0).pointee = 0
        if level > 0 {
            let block = UnsafeMutablePointer<UInt32>.allocate(capacity: level * (maxM + 1))
            block.initialize(repeating: 0, count: level * (maxM + 1))
            upper[node] = block
        }

        if current >= 0 {
            let q = self.vector(node)
            if level < levelCopy {
                var currentDistance = distance(q, current)
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: maxM + 1) { buffer in
                    for l in stride(from: levelCopy, to: level, by: -1) {
                        var changed = true
                        while changed {
                            changed = false
                            let n = copyLinks(current, l, into: buffer.baseAddress!)
                            for j in 0..<n {
                                let c = Int(buffer[j])
                                let d = distance(q, c)
                                if d < currentDistance { currentDistance = d; current = c; changed = true }
                            }
                        }
                    }
                }
            }
            for l in stride(from: min(level, levelCopy), through: 0, by: -1) {
                let top = searchForInsert(q, entry: current, level: l)
                current = connect(node, q, candidates: top, level: l)
            }
        }
        if level > levelCopy {
            entryPoint = node
            maxLevel = level
        }
        labelLock.withLock { flags[node] &= ~Self.pendingFlag }
    }
}
