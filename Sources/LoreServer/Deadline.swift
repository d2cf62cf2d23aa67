/// Runs `operation` with a time limit: past `limit` it is cancelled and a 504 (`timeout`)
/// is thrown.
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw APIError(.gatewayTimeout, code: "timeout", "the request took longer than \(limit) (server.request_timeout_s)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
