import Foundation

/// A reader-writer lock: searches and adds share it; growing the storage takes it alone.
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

/// A plain mutex.
final class Mutex: @unchecked Sendable {
    private let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(m, nil) }
    deinit { pthread_mutex_destroy(m); m.deallocate() }
    @inline(__always) func lock() { pthread_mutex_lock(m) }
    @inline(__always) func unlock() { pthread_mutex_unlock(m) }
    @inline(__always) func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
}

/// One mutex per node, in one allocation (hnswlib's `link_list_locks_`).
final class NodeLocks: @unchecked Sendable {
    private(set) var capacity: Int
    private var locks: UnsafeMutablePointer<pthread_mutex_t>

    init(capacity: Int) {
        self.capacity = capacity
        locks = .allocate(capacity: max(capacity, 1))
        for i in 0..<capacity { pthread_mutex_init(locks + i, nil) }
    }

    deinit {
        for i in 0..<capacity { pthread_mutex_destroy(locks + i) }
        locks.deallocate()
    }

    /// Grows to `newCapacity`; the caller holds the index exclusively, so no lock is held.
    func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let fresh = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: newCapacity)
        for i in 0..<newCapacity { pthread_mutex_init(fresh + i, nil) }
        for i in 0..<capacity { pthread_mutex_destroy(locks + i) }
        locks.deallocate()
        locks = fresh
        capacity = newCapacity
    }

    @inline(__always) func lock(_ i: Int) { pthread_mutex_lock(locks + i) }
    @inline(__always) func unlock(_ i: Int) { pthread_mutex_unlock(locks + i) }
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
