import Synchronization

/// A fixture made once, on first use, by async work, and shared by every test that asks:
/// the async counterpart of `static let shared = Result { try ... }`. A failure is shared
/// too (each test that asks sees it).
public final class SharedFixture<Value: Sendable>: Sendable {
    private let make: @Sendable () async throws -> Value
    private let task = Mutex<Task<Value, any Error>?>(nil)

    public init(_ make: @escaping @Sendable () async throws -> Value) { self.make = make }

    /// The fixture, made by the first caller.
    public func get() async throws -> Value {
        let task = task.withLock { task in
            if let task { return task }
            let made = Task { try await make() }
            task = made
            return made
        }
        return try await task.value
    }
}
