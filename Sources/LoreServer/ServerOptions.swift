/// How `lore serve` listens and what it accepts (`server:` in the configuration).
public struct ServerOptions: Sendable, Equatable {
    public var host: String
    /// 0 picks a free port (the ready line names it).
    public var port: Int
    /// Request bodies above this many bytes are refused with 413.
    public var maxBodyBytes: Int
    /// A non-streaming query or a retrieval running longer is cancelled with 504.
    public var requestTimeout: Duration
    /// Authentication, rate limits and CORS.
    public var access = AccessOptions()

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20, requestTimeout: Duration = .seconds(120)) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeout = requestTimeout
    }

    /// Whether `host` only accepts connections from this machine (`127.0.0.0/8`, `::1`,
    /// `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
