import Synchronization

/// Distances and node ids packed into one UInt64 so that heaps compare integers.
///
/// The distance's float bits are mapped to an order-preserving UInt32 in the high half;
/// the node id is the low half. A max-heap of keys is a max-heap by distance; the
/// complement of the distance bits turns it into a min-heap.
enum HeapKey {
    @inline(__always) static func ordered(_ d: Float) -> UInt32 {
        let b = d.bitPattern
        return b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
    }

    @inline(__always) static func distance(ofOrdered o: UInt32) -> Float {
        Float(bitPattern: o & 0x8000_0000 != 0 ? o & 0x7FFF_FFFF : ~o)
    }

    // Equal distances are ordered by a bijective scramble of the id, not by the id: with
    // many exact duplicates (repeated boilerplate), ordering ties by id would make every
    // insertion keep the same oldest twins, which then hoard the links (hnswlib's heaps
    // compare distances only, so its ties fall in no fixed order either).
    @inline(__always) static func scramble(_ id: UInt32) -> UInt32 { id &* 0x9E37_79B1 }
    @inline(__always) static func unscramble(_ s: UInt32) -> UInt32 { s &* 0x0E8B_2F51 }

    /// A key that sorts by increasing distance in a max-heap (the farthest on top).
    @inline(__always) static func far(_ d: Float, _ id: UInt32) -> UInt64 { UInt64(ordered(d)) << 32 | UInt64(scramble(id)) }
    /// A key that sorts by decreasing distance in a max-heap (the nearest on top).
    @inline(__always) static func near(_ d: Float, _ id: UInt32) -> UInt64 { UInt64(~ordered(d)) << 32 | UInt64(scramble(id)) }

    @inline(__always) static func id(_ key: UInt64) -> UInt32 { unscramble(UInt32(truncatingIfNeeded: key)) }
    @inline(__always) static func farDistance(_ key: UInt64) -> Float { distance(ofOrdered: UInt32(key >> 32)) }
    @inline(__always) static func nearDistance(_ key: UInt64) -> Float { distance(ofOrdered: ~UInt32(key >> 32)) }
}

/// A binary max-heap of UInt64 keys.
struct KeyHeap {
    private(set) var keys: [UInt64] = []

    init(capacity: Int = 0) { keys.reserveCapacity(capacity) }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    var top: UInt64 { keys[0] }

    @inline(__always) mutating func push(_ key: UInt64) {
        keys.append(key)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i &- 1) >> 1
            guard keys[parent] < key else { break }
            keys[i] = keys[parent]
            i = parent
        }
        keys[i] = key
    }

    @discardableResult @inline(__always)
    mutating func pop() -> UInt64 {
        let result = keys[0]
        let last = keys.removeLast()
        let n = keys.count
        guard n > 0 else { return result }
        var i = 0
        while true {
            let l = 2 &* i &+ 1
            if l >= n { break }
            let r = l &+ 1
            let c = r < n && keys[r] > keys[l] ? r : l
            guard keys[c] > last else { break }
            keys[i] = keys[c]
            i = c
        }
        keys[i] = last
        return result
    }

    mutating func removeAll() { keys.removeAll(keepingCapacity: true) }
}

/// Marks of visited nodes, reset in O(1) by moving to a new epoch (hnswlib's
/// `VisitedList`); the array is cleared only when the 16-bit epoch wraps.
/// Used by one search at a time: handed from search to search through `VisitedListPool`,
/// under its lock, hence `@unchecked Sendable`.
final class VisitedList: @unchecked Sendable {
    let capacity: Int
    private let marks: UnsafeMutablePointer<UInt16>
    private var epoch: UInt16 = 0

    init(capacity: Int) {
        self.capacity = capacity
        marks = .allocate(capacity: max(capacity, 1))
        marks.initialize(repeating: 0, count: max(capacity, 1))
    }

    deinit { marks.deallocate() }

    func reset() {
        epoch &+= 1
        if epoch == 0 {
            marks.update(repeating: 0, count: max(capacity, 1))
            epoch = 1
        }
    }

    /// Marks `i`; returns whether it was already marked in this epoch.
    @inline(__always) func visit(_ i: Int) -> Bool {
        if marks[i] == epoch { return true }
        marks[i] = epoch
        return false
    }
}

/// Visited lists for concurrent searches, reused.
final class VisitedListPool: @unchecked Sendable {
    private let free = Mutex<[VisitedList]>([])

    func get(capacity: Int) -> VisitedList {
        let list =
            free.withLock { (free: inout [VisitedList]) -> VisitedList? in
                while let l = free.popLast() { if l.capacity >= capacity { return l } }
                return nil
            } ?? VisitedList(capacity: capacity)
        list.reset()
        return list
    }

    func put(_ list: VisitedList) { free.withLock { (free: inout [VisitedList]) in free.append(list) } }
}
