import Foundation
import LoreCore

/// The answer writers (`generation:` in the configuration): the default backend and the
/// OpenAI-compatible chat-completions backends.
///
/// ```yaml
/// generation:
///   backend: local          # extractive (default), a backend's name, or pool (all of them)
///   backends:
///     - name: local
///       base_url: http://127.0.0.1:8080      # with or without /v1
///       model: smollm2
///       api_key_env: LOCAL_LLM_KEY           # optional: the variable holding the key
///       connect_timeout_s: 5
///       first_token_timeout_s: 60   # a CPU server needs ~15 s for a 1,500-token prompt
///       request_timeout_s: 300
///       max_retries: 2                       # before the first token only
///       price: {input_per_million: 0.15, output_per_million: 0.60}   # optional: usage.cost
///   circuit_breaker: {failures: 3, cooldown_s: 30}
///   fallback: extractive    # optional: answers when the chosen backend is unreachable (else 503)
/// ```
public struct GenerationSettings: Codable, Equatable, Sendable {
    /// One OpenAI-compatible backend (`generation.backends[]`).
    public struct Backend: Codable, Equatable, Sendable {
        public var name = ""
        public var baseURL = ""
        public var model = ""
        /// The environment variable holding the API key; none for servers without keys.
        public var apiKeyEnv: String?
        public var connectTimeoutSeconds = 5.0
        public var firstTokenTimeoutSeconds = 60.0
        public var requestTimeoutSeconds = 300.0
        public var maxRetries = 2
        /// Its prices per million tokens: answers then carry `usage.cost`.
        public var price: TokenPrice?

        public enum CodingKeys: String, CodingKey {
            case name, baseURL = "base_url", model, apiKeyEnv = "api_key_env", connectTimeoutSeconds = "connect_timeout_s"
            case firstTokenTimeoutSeconds = "first_token_timeout_s", requestTimeoutSeconds = "request_timeout_s", maxRetries = "max_retries"
            case price
        }

        public init(name: String = "") { self.name = name }

        public init(from decoder: any Decoder) throws {
            let d = Self()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? d.name
            baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL) ?? d.baseURL
            model = try c.decodeIfPresent(String.self, forKey: .model) ?? d.model
            apiKeyEnv = try c.decodeIfPresent(String.self, forKey: .apiKeyEnv)
            connectTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .connectTimeoutSeconds) ?? d.connectTimeoutSeconds
            firstTokenTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .firstTokenTimeoutSeconds) ?? d.firstTokenTimeoutSeconds
            requestTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? d.requestTimeoutSeconds
            maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries) ?? d.maxRetries
            price = try c.decodeIfPresent(TokenPrice.self, forKey: .price)
        }
    }

    /// The pool's circuit breakers (`generation.circuit_breaker`).
    public struct CircuitBreaker: Codable, Equatable, Sendable {
        /// Consecutive failures that open a backend's circuit.
        public var failures = 3
        /// Seconds an open circuit waits before one probe request.
        public var cooldownSeconds = 30.0

        public enum CodingKeys: String, CodingKey { case failures, cooldownSeconds = "cooldown_s" }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let d = Self()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            failures = try c.decodeIfPresent(Int.self, forKey: .failures) ?? d.failures
            cooldownSeconds = try c.decodeIfPresent(Double.self, forKey: .cooldownSeconds) ?? d.cooldownSeconds
        }
    }

    /// `extractive` (embedded, no LLM), the name of a configured backend, or `pool` (every
    /// configured backend, with routing, failover and circuit breakers).
    public var backend = "extractive"
    public var backends: [Backend] = []
    public var circuitBreaker = CircuitBreaker()
    /// The backend that answers when the chosen one cannot be reached before its first
    /// token (in practice `extractive`); nil: such queries fail (503 `backend_unavailable`).
    public var fallback: String?

    /// The backend name that means "all configured backends".
    public static let pool = "pool"
    /// The backend name of the embedded extractive answerer.
    public static let extractive = "extractive"
    /// The backend that `LORE_LLM_*` variables define or override.
    public static let environmentBackend = "llm"

    public enum CodingKeys: String, CodingKey { case backend, backends, circuitBreaker = "circuit_breaker", fallback }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        backend = try c.decodeIfPresent(String.self, forKey: .backend) ?? d.backend
        backends = try c.decodeIfPresent([Backend].self, forKey: .backends) ?? d.backends
        circuitBreaker = try c.decodeIfPresent(CircuitBreaker.self, forKey: .circuitBreaker) ?? d.circuitBreaker
        fallback = try c.decodeIfPresent(String.self, forKey: .fallback)
    }

    /// The names `GeneratorFactory.make` builds a generator for: each configured backend,
    /// and `pool` when there is at least one (`extractive` is built elsewhere).
    public var backendNames: [String] { backends.isEmpty ? [] : backends.map(\.name) + [Self.pool] }

    /// Each priced backend's prices, by name.
    public var prices: [String: TokenPrice] {
        Dictionary(backends.compactMap { b in b.price.map { (b.name, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// `LORE_LLM_BASE_URL`, `LORE_LLM_MODEL` and `LORE_LLM_API_KEY_ENV` define (or override
    /// the fields of) a backend named `llm` (`generation.backends` is a list, which no
    /// derived variable sets).
    public mutating func applyLLMEnvironment(_ env: [String: String]) {
        let url = env["LORE_LLM_BASE_URL"], model = env["LORE_LLM_MODEL"], keyEnv = env["LORE_LLM_API_KEY_ENV"]
        guard url != nil || model != nil || keyEnv != nil else { return }
        let index =
            backends.firstIndex { $0.name == Self.environmentBackend }
            ?? {
                backends.append(Backend(name: Self.environmentBackend))
                return backends.count - 1
            }()
        if let url { backends[index].baseURL = url }
        if let model { backends[index].model = model }
        if let keyEnv { backends[index].apiKeyEnv = keyEnv.isEmpty ? nil : keyEnv }
    }

    /// Checks every key, naming the one at fault.
    public func validate() throws {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(description: message) }
        var seen = Set<String>()
        for (i, b) in backends.enumerated() {
            let key = "generation.backends[\(i)]" + (b.name.isEmpty ? "" : " (\(b.name))")
            guard !b.name.isEmpty else { throw fail("\(key).name is missing") }
            guard b.name != Self.extractive, b.name != Self.pool else {
                throw fail("\(key).name must not be \(b.name): that name is reserved")
            }
            guard seen.insert(b.name).inserted else { throw fail("\(key).name \(b.name) is used by two backends") }
            let envHint = b.name == Self.environmentBackend ? " (or LORE_LLM_BASE_URL)" : ""
            guard let url = URL(string: b.baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw fail("\(key).base_url must be an http(s) URL\(envHint), not \(b.baseURL.isEmpty ? "empty" : b.baseURL)")
            }
            guard !b.model.isEmpty else {
                throw fail("\(key).model is missing" + (b.name == Self.environmentBackend ? " (or LORE_LLM_MODEL)" : ""))
            }
            if let v = b.apiKeyEnv, v.isEmpty { throw fail("\(key).api_key_env is empty (leave it out for servers without keys)") }
            for (field, value) in [
                ("connect_timeout_s", b.connectTimeoutSeconds), ("first_token_timeout_s", b.firstTokenTimeoutSeconds),
                ("request_timeout_s", b.requestTimeoutSeconds)
            ] where !(value > 0 && value.isFinite) {
                throw fail("\(key).\(field) must be a positive number of seconds, not \(value)")
            }
            guard b.maxRetries >= 0 else { throw fail("\(key).max_retries must not be negative") }
            if let p = b.price {
                for (field, value) in [("input_per_million", p.inputPerMillion), ("output_per_million", p.outputPerMillion)]
                where !(value >= 0 && value.isFinite) {
                    throw fail("\(key).price.\(field) must be a price of 0 or more, not \(value)")
                }
            }
        }
        guard circuitBreaker.failures >= 1 else { throw fail("generation.circuit_breaker.failures must be at least 1") }
        guard circuitBreaker.cooldownSeconds >= 0, circuitBreaker.cooldownSeconds.isFinite else {
            throw fail("generation.circuit_breaker.cooldown_s must not be negative")
        }
        guard backend == Self.extractive || (backend == Self.pool && !backends.isEmpty) || seen.contains(backend) else {
            let known = ([Self.extractive] + backends.map(\.name) + (backends.isEmpty ? [] : [Self.pool])).joined(separator: ", ")
            throw fail("generation.backend (LORE_GENERATION_BACKEND) must be one of \(known); \(backend) is not configured")
        }
        if let fallback {
            guard fallback == Self.extractive || (fallback == Self.pool && !backends.isEmpty) || seen.contains(fallback) else {
                let known = ([Self.extractive] + backends.map(\.name) + (backends.isEmpty ? [] : [Self.pool])).joined(separator: ", ")
                throw fail("generation.fallback (LORE_GENERATION_FALLBACK) must be one of \(known); \(fallback) is not configured")
            }
        }
    }
}
