import Foundation
import LoreCore

/// Settings of one OpenAI-compatible chat-completions backend (vLLM, TGI, SGLang, Ollama,
/// llama.cpp's server, llama-cpp-python, OpenAI).
public struct OpenAIGeneratorConfiguration: Sendable, Equatable {
    /// The backend's name in logs, errors, summaries and the pool's statistics.
    public var name: String
    /// e.g. `http://127.0.0.1:8080` or `http://127.0.0.1:8080/v1`: the client posts to
    /// `{base}/v1/chat/completions` either way.
    public var baseURL: String
    /// The model name sent with each request.
    public var model: String
    /// Name of the environment variable holding the API key (sent as a bearer token);
    /// nil for servers without authentication.
    public var apiKeyEnvironmentVariable: String?
    /// Limit for making the TCP connection.
    public var connectTimeout: Duration
    /// Limit from sending a streamed request to its first text delta (response headers
    /// included). Non-streamed requests, whose first text is the whole answer, are bounded
    /// by `requestTimeout` only.
    public var firstTokenTimeout: Duration
    /// Limit for the whole generation. A stream cut by it after text arrived ends
    /// `.incomplete`.
    public var requestTimeout: Duration
    /// Further attempts after a retryable failure (connection, timeout, 429, 5xx) — only
    /// ever before the first text delta.
    public var maxRetries: Int
    /// The first retry waits up to this long (full jitter), doubling per attempt.
    public var initialBackoff: Duration
    /// Cap on one retry's wait.
    public var maxBackoff: Duration

    public init(
        name: String, baseURL: String, model: String, apiKeyEnvironmentVariable: String? = nil,
        connectTimeout: Duration = .seconds(5), firstTokenTimeout: Duration = .seconds(60),
        requestTimeout: Duration = .seconds(300), maxRetries: Int = 2,
        initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(1)
    ) {
        self.name = name
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.connectTimeout = connectTimeout
        self.firstTokenTimeout = firstTokenTimeout
        self.requestTimeout = requestTimeout
        self.maxRetries = max(0, maxRetries)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The chat-completions endpoint.
    public var endpoint: String {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix("/v1") ? base + "/chat/completions" : base + "/v1/chat/completions"
    }

    /// Checks the values that would otherwise fail on first use.
    public func validate() throws(GenerationError) {
        func invalid(_ message: String) -> GenerationError { GenerationError(.invalidRequest, backend: name, message) }
        guard !name.isEmpty else { throw invalid("the backend needs a name") }
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw invalid("base URL \(baseURL) is not an http(s) URL")
        }
        guard !model.isEmpty else { throw invalid("no model name configured") }
        for (label, limit) in [
            ("connect timeout", connectTimeout), ("first-token timeout", firstTokenTimeout),
            ("request timeout", requestTimeout)
        ] where limit <= .zero {
            throw invalid("the \(label) must be positive, not \(limit)")
        }
    }
}
