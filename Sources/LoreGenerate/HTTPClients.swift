import AsyncHTTPClient
import LoreCore
import Synchronization

/// The process's HTTP clients for generation, one per connect timeout (the connect timeout
/// is a client-wide setting in AsyncHTTPClient). They live as long as the process, as
/// `HTTPClient.shared` does, so no generator has to shut one down.
enum GenerationHTTPClients {
    private static let clients = Mutex<[Int64: HTTPClient]>([:])

    /// The client whose connections must be made within `connectTimeout`. Connection
    /// attempts are not retried inside the client: a refused connection fails at once and
    /// the generator's own retry policy (before the first token only) applies.
    static func client(connectTimeout: Duration) -> HTTPClient {
        let key = max(1, connectTimeout.nanoseconds / 1_000_000)
        return clients.withLock { clients in
            if let c = clients[key] { return c }
            var config = HTTPClient.Configuration()
            config.connectionPool.retryConnectionEstablishment = false
            config.timeout.connect = .milliseconds(key)
            // Ask for the server's bytes as they come: no decompression buffering.
            config.decompression = .disabled
            let c = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
            clients[key] = c
            return c
        }
    }
}
