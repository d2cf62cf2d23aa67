import LoreServer

/// `lore serve` (`server:` in the configuration); `--host` and `--port` override.
///
/// ```yaml
/// server:
///   host: 127.0.0.1          # anything but loopback needs --allow-remote-unauthenticated
///   port: 8080               # 0 picks a free port
///   max_body_bytes: 1048576  # larger request bodies get 413
///   request_timeout_s: 120   # a non-streaming query or retrieval running longer gets 504
///   shutdown_grace_s: 30     # on SIGTERM, how long in-flight requests may take to finish
/// ```
struct ServerSettings: Codable, Equatable {
    var host = "127.0.0.1"
    var port = 8080
    var maxBodyBytes = 1 << 20
    var requestTimeoutSeconds = 120.0
    var shutdownGraceSeconds = 30.0

    enum CodingKeys: String, CodingKey {
        case host, port, maxBodyBytes = "max_body_bytes", requestTimeoutSeconds = "request_timeout_s"
        case shutdownGraceSeconds = "shutdown_grace_s"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
        requestTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? d.requestTimeoutSeconds
        shutdownGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .shutdownGraceSeconds) ?? d.shutdownGraceSeconds
    }

    mutating func applyEnvironment(_ env: [String: String]) throws {
        if let v = env["LORE_SERVER_HOST"] { host = v }
        if let v = env["LORE_SERVER_PORT"] {
            guard let n = Int(v) else { throw ConfigurationError(description: "LORE_SERVER_PORT=\(v) is not an integer") }
            port = n
        }
    }

    func validate() throws {
        guard !host.isEmpty else { throw ConfigurationError(description: "server.host must not be empty") }
        guard (0...65535).contains(port) else { throw ConfigurationError(description: "server.port must be between 0 and 65535, not \(port)") }
        guard maxBodyBytes > 0 else { throw ConfigurationError(description: "server.max_body_bytes must be positive, not \(maxBodyBytes)") }
        guard requestTimeoutSeconds > 0 else {
            throw ConfigurationError(description: "server.request_timeout_s must be positive, not \(requestTimeoutSeconds)")
        }
        guard shutdownGraceSeconds >= 0 else {
            throw ConfigurationError(description: "server.shutdown_grace_s must not be negative, not \(shutdownGraceSeconds)")
        }
    }

    /// The server's options (`host` and `port` as given, after flags).
    func options() -> ServerOptions {
        ServerOptions(host: host, port: port, maxBodyBytes: maxBodyBytes,
                      requestTimeout: .milliseconds(Int64((requestTimeoutSeconds * 1000).rounded())))
    }
}
