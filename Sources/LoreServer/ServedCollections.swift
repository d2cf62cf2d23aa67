/// Every collection a server answers from, each opened on first use: the default one (the
/// configuration's `collection`, or `--collection`) and any other collection of the store a
/// request names. Requests name a collection with `collection` (or `filters.collection`);
/// without one they get the default.
public actor ServedCollections {
    /// The collection requests get when they name none.
    public nonisolated let defaultName: String
    private let open: @Sendable (String) async throws -> ServedCollection
    private var opened: [String: Task<ServedCollection, any Error>] = [:]

    /// - Parameters:
    ///   - opened: the default collection, already open (the server refuses to start without it).
    ///   - open: opens another collection by name; throws `APIError` (404 when there is no
    ///     such collection).
    public init(_ opened: ServedCollection, open: @escaping @Sendable (String) async throws -> ServedCollection) {
        defaultName = opened.name
        self.open = open
        self.opened[opened.name] = Task { opened }
    }

    /// The collection `name` (the default when nil), after checking that `principal` holds
    /// `scope` and may see it: 403 otherwise, 404 (naming the request's field) when the
    /// store has no such collection.
    public func resolve(_ requested: CollectionName?, for principal: Principal, scope: Scope) async throws -> ServedCollection {
        let name = requested?.name ?? defaultName
        try principal.authorize(scope, collection: name)
        if let task = opened[name] { return try await task.value }
        let open = self.open
        let task = Task { try await open(name) }
        opened[name] = task
        do { return try await task.value } catch {
            opened[name] = nil   // a failed open is retried by the next request
            guard var e = error as? APIError else { throw error }
            e.message = "\(requested?.field ?? "collection"): \(e.message)"
            throw e
        }
    }

    /// Forgets the opened collection `name`: the next request opens it afresh (with its
    /// vector index as the store now has it). For changes an open collection cannot take
    /// in place (its first vectors).
    public func reload(_ name: String) {
        opened[name] = nil
    }
}

/// A collection named by a request, and the field that named it (for error messages).
public struct CollectionName: Sendable, Equatable {
    public var name: String
    /// `collection`, `filters.collection`, a path parameter...
    public var field: String

    public init(name: String, field: String = "collection") {
        self.name = name
        self.field = field
    }
}
