import Synchronization

/// Every collection a server answers from, each opened on first use: the default one (the
/// configuration's `collection`, or `--collection`) and any other collection of the store a
/// request names. Requests name a collection with `collection` (or `filters.collection`);
/// without one they get the default.
///
/// A replica of published index versions (`lore serve --published`) switches versions with
/// `replace`: requests that already hold a collection finish on it (it is released when the
/// last one ends), and every later request gets the new version. Each route resolves its
/// collection once, so no request sees two versions.
public actor ServedCollections {
    /// The collection requests get when they name none.
    public nonisolated let defaultName: String
    private var open: @Sendable (String) async throws -> ServedCollection
    private var opened: [String: Task<ServedCollection, any Error>] = [:]
    /// Counts `replace`s, so that an open started before one cannot land in the new set.
    private var generation = 0
    private let served = Mutex<String?>(nil)

    /// The published version new requests get (nil when not serving published versions).
    public nonisolated var currentVersion: String? { served.withLock { $0 } }

    /// - Parameters:
    ///   - opened: the default collection, already open (the server refuses to start without it).
    ///   - open: opens another collection by name; throws `APIError` (404 when there is no
    ///     such collection).
    public init(_ opened: ServedCollection, open: @escaping @Sendable (String) async throws -> ServedCollection) {
        defaultName = opened.name
        self.open = open
        self.opened[opened.name] = Task { opened }
        served.withLock { $0 = opened.version }
    }

    /// Switches every later request to `opened` (the default collection of a new version)
    /// and `open` (its other collections, opened on first use). Collections of the old
    /// version stay alive while requests hold them.
    public func replace(with opened: ServedCollection, open: @escaping @Sendable (String) async throws -> ServedCollection) {
        precondition(opened.name == defaultName, "a new version must serve the same default collection")
        generation += 1
        self.open = open
        self.opened = [opened.name: Task { opened }]
        served.withLock { $0 = opened.version }
    }

    /// `resolve(_:for:scope:)` for a route: the caller is the request's principal, and the
    /// collection's published version is noted for the response's `X-Lore-Index-Version`.
    public func resolve(_ requested: CollectionName?, in context: LoreRequestContext, scope: Scope) async throws -> ServedCollection {
        let collection = try await resolve(requested, for: context.principal, scope: scope)
        if let version = collection.version { context.annotations.indexVersion = version }
        return collection
    }

    /// The collection `name` (the default when nil), after checking that `principal` holds
    /// `scope` and may see it: 403 otherwise, 404 (naming the request's field) when the
    /// store has no such collection.
    public func resolve(_ requested: CollectionName?, for principal: Principal, scope: Scope) async throws -> ServedCollection {
        let name = requested?.name ?? defaultName
        try principal.authorize(scope, collection: name)
        let open = self.open, started = generation
        let task: Task<ServedCollection, any Error>
        if let opening = opened[name] {
            task = opening  // a request that arrives while another opens it waits for the same open
        } else {
            task = Task { try await open(name) }
            opened[name] = task
        }
        do { return try await task.value } catch {
            // A failed open is retried by the next request (every waiter's error names its field).
            if generation == started, opened[name] == task { opened[name] = nil }
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
