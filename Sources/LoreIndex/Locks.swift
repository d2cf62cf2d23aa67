import Foundation
import LoreCore
import Synchronization

/// A reader-writer lock: searches and adds share it; growing the storage takes it alone.
///
/// The one lock in Lore that is not `Synchronization.Mutex`: searches and inserts run
/// concurrently under the shared side (they synchronise per node with `NodeLocks`), and
/// only growing the storage, saving a snapshot or a bulk change needs it exclusively. A
/// mutex here would serialise every search of an index.
final class ReadWriteLock: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    init() { pthread_rwlock_init(lock, nil) }
    deinit { pthread_rwlock_destroy(lock); lock.deallocate() }

    @inline(__always) func read<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock); defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    @inline(__always) func write<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock); defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}

/// One mutex per node, in one allocation (hnswlib's `link_list_locks_`).
final class NodeLocks: @unchecked Sendable {
    private(set) var capacity: Int
    private var locks: UnsafeMutablePointer<Mutex<Void>>

    init(capacity: Int) {
        self.capacity = capacity
        locks = .allocate(capacity: max(capacity, 1))
        for i in 0..<capacity { (locks + i).initialize(to: Mutex(())) }
    }

    deinit {
        locks.deinitialize(count: capacity)
        locks.deallocate()
    }

    /// Grows to `newCapacity`; the caller holds the index exclusively, so no lock is held.
    func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let fresh = UnsafeMutablePointer<Mutex<Void>>.allocate(capacity: newCapacity)
        fresh.moveInitialize(from: locks, count: capacity)
        for i in capacity..<newCapacity { (fresh + i).initialize(to: Mutex(())) }
        locks.deallocate()
        locks = fresh
        capacity = newCapacity
    }

    /// Runs `body` holding node `i`'s lock.
    @inline(__always) func withLock<T>(_ i: Int, _ body: () -> T) -> T { locks[i].withLock(body) }
}

/// Runs `body(0..<parts)` on that many threads and waits. The body's threads must write
/// disjoint memory or synchronise themselves.
func parallelFor(_ parts: Int, _ body: (Int) -> Void) {
    if parts <= 1 { body(0); return }
    withoutActuallyEscaping(body) { body in
        let job = ParallelJob(body: body)
        DispatchQueue.concurrentPerform(iterations: parts) { job.body($0) }
    }
}

private struct ParallelJob: @unchecked Sendable {
    let body: (Int) -> Void
}

/// Splits `0..<count` into `parts` contiguous ranges and runs them on that many threads.
func parallelRanges(_ count: Int, parts: Int, _ body: (Range<Int>) -> Void) {
    let parts = max(1, min(parts, count))
    parallelFor(parts) { p in body((count * p / parts)..<(count * (p + 1) / parts)) }
}

/// The number of cores Lore uses for index work.
public var indexThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
