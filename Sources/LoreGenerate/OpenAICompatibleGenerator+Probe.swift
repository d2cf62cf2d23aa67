import AsyncHTTPClient
import Foundation
import LoreCore
import NIOCore

extension OpenAICompatibleGenerator {
    /// The models endpoint beside the chat-completions one (`{base}/v1/models`).
    public var modelsEndpoint: String {
        String(configuration.endpoint.dropLast("/chat/completions".count)) + "/models"
    }

    /// Whether the server answers: a `GET {base}/v1/models` within `timeout`. Returns nil
    /// when it answers with a 2xx status, else what went wrong (for a readiness check).
    public func probe(timeout: Duration = .seconds(2)) async -> String? {
        var http = HTTPClientRequest(url: modelsEndpoint)
        http.method = .GET
        http.headers.add(name: "User-Agent", value: "lore")
        if let apiKey { http.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        do {
            let response = try await client.execute(http, timeout: .nanoseconds(timeout.nanoseconds))
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(Int(response.status.code)) else {
                return "\(modelsEndpoint) answered HTTP \(response.status.code)"
            }
            return nil
        } catch {
            return "\(modelsEndpoint): \(error)"
        }
    }
}
