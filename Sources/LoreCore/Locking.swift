import Synchronization

/// Lore's one lock is the standard library's `Synchronization.Mutex`. Where the state is
/// the lock's own, it lives inside it (`Mutex<State>`, `withLock { state in … }`). Where
/// the lock serialises use of something that is not a value (a SQLite connection, a file
/// descriptor) or fields that other locks share out (the HNSW index), it is a
/// `Mutex<Void>`, and this overload runs a closure without the unused `inout Void`.
extension Mutex where Value == Void {
    @inline(__always)
    public borrowing func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var result: Result<T, E>?
        withLock { (_: inout Void) -> Void in
            do throws(E) { result = .success(try body()) } catch { result = .failure(error) }
        }
        return try result!.get()
    }
}
