import Synchronization

/// Facts about one request that an inner middleware learns and an outer one logs (the
/// request log line is written outside authentication): a reference shared by every copy
/// of the request's context.
public final class RequestAnnotations: Sendable {
    private let key = Mutex<String?>(nil)
    private let version = Mutex<String?>(nil)

    public init() {}

    /// The public id of the API key that authenticated the request.
    public var keyID: String? {
        get { key.withLock { $0 } }
        set { key.withLock { $0 = newValue } }
    }

    /// The published index version the request's collection answered from.
    public var indexVersion: String? {
        get { version.withLock { $0 } }
        set { version.withLock { $0 = newValue } }
    }
}
