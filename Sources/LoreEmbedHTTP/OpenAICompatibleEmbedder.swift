import AsyncHTTPClient
import Foundation
import Logging
import LoreCore
import NIOCore
import NIOHTTP1

/// Settings of the OpenAI-compatible embeddings client.
public struct OpenAIEmbedderConfiguration: Sendable, Equatable {
    /// e.g. `http://127.0.0.1:8080` (the client posts to `{base}/v1/embeddings`; a base that
    /// already ends in `/v1` is accepted too).
    public var baseURL: String
    public var model: String
    /// Name of the environment variable holding the API key (sent as a bearer token).
    public var apiKeyEnvironmentVariable: String?
    /// Texts per request.
    public var batchSize: Int
    /// Requests in flight at once.
    public var concurrency: Int
    /// Limit for one request.
    public var timeout: Duration
    /// Retries of one request after a 429, a 5xx, a timeout or a connection error.
    public var maxRetries: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// The dimension the vectors must have; learned from the server when nil.
    public var dimension: Int?

    public init(
        baseURL: String, model: String, apiKeyEnvironmentVariable: String? = nil, batchSize: Int = 64, concurrency: Int = 4,
        timeout: Duration = .seconds(30), maxRetries: Int = 5, initialBackoff: Duration = .milliseconds(250),
        maxBackoff: Duration = .seconds(20), dimension: Int? = nil
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.batchSize = max(1, batchSize)
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.maxRetries = max(0, maxRetries)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.dimension = dimension
    }

    /// The embeddings endpoint.
    public var endpoint: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix("/v1") ? base + "/embeddings" : base + "/v1/embeddings"
    }
}

/// Why the embeddings server could not be used. Messages name the server, the batch and
/// what to do.
public struct EmbeddingServiceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The HTTP status, when the server answered.
    public var status: Int?
}

/// An `Embedder` backed by an OpenAI-compatible `/v1/embeddings` server (OpenAI, vLLM, TEI,
/// Ollama, infinity, llama.cpp with pooling). Batches run with bounded concurrency; a
/// request is retried with exponential backoff and full jitter after a 429 (honouring
/// `Retry-After`), a 5xx, a timeout or a connection error. Vectors are L2-normalised.
public final class OpenAICompatibleEmbedder: Embedder, @unchecked Sendable {
    public let configuration: OpenAIEmbedderConfiguration
    public let modelID: String
    public let dimension: Int
    private let client: HTTPClient
    private let logger: Logger
    private let apiKey: String?

    /// Connects: reads the API key, and sends one probe request to learn (or check) the
    /// dimension, so that a wrong URL, key or model fails here, clearly.
    public static func connect(
        _ configuration: OpenAIEmbedderConfiguration, client: HTTPClient = OpenAICompatibleEmbedder.sharedClient,
        logger: Logger = Logger(label: "lore.embed.http")
    ) async throws -> OpenAICompatibleEmbedder {
        var apiKey: String? = nil
        if let name = configuration.apiKeyEnvironmentVariable {
            guard let key = ProcessInfo.processInfo.environment[name], !key.isEmpty else {
                throw EmbeddingServiceError(
                    description: "the environment variable \(name) (api_key_env) holding the embeddings API key is not set")
            }
            apiKey = key
        }
        let probe = try await Self.request(
            ["dimension probe"], batch: 0, configuration: configuration, client: client, apiKey: apiKey, logger: logger)
        let found = probe[0].count
        if let expected = configuration.dimension, expected != found {
            throw EmbeddingServiceError(
                description:
                    "\(configuration.endpoint) returns \(found)-dimension vectors for model \(configuration.model), but \(expected) are configured (dimension): fix the model or the setting"
            )
        }
        return OpenAICompatibleEmbedder(configuration: configuration, dimension: found, client: client, apiKey: apiKey, logger: logger)
    }

    /// One HTTP client for the process. Connection attempts are not retried inside the
    /// client (a refused connection fails at once, and this embedder's own retries with
    /// backoff apply), and a connection must be made within 5 s.
    public static let sharedClient: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.connectionPool.retryConnectionEstablishment = false
        config.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    private init(configuration: OpenAIEmbedderConfiguration, dimension: Int, client: HTTPClient, apiKey: String?, logger: Logger) {
        self.configuration = configuration
        self.modelID = configuration.model
        self.dimension = dimension
        self.client = client
        self.apiKey = apiKey
        self.logger = logger
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let size = configuration.batchSize
        let batches = stride(from: 0, to: texts.count, by: size).map { Array(texts[$0..<min($0 + size, texts.count)]) }
        var out = [[Float]](repeating: [], count: texts.count)
        try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            var next = 0
            func add() {
                guard next < batches.count else { return }
                let b = next
                next += 1
                group.addTask { [self] in
                    (
                        b,
                        try await Self.request(
                            batches[b], batch: b, configuration: configuration, client: client, apiKey: apiKey, logger: logger)
                    )
                }
            }
            for _ in 0..<configuration.concurrency { add() }
            while let (b, vectors) = try await group.next() {
                for (k, v) in vectors.enumerated() {
                    guard v.count == dimension else {
                        throw EmbeddingServiceError(
                            description:
                                "\(configuration.endpoint) returned a \(v.count)-dimension vector in batch \(b), expected \(dimension)")
                    }
                    out[b * size + k] = v
                }
                add()
            }
        }
        return out
    }

    // MARK: One request, with retries

    static func request(
        _ texts: [String], batch: Int, configuration c: OpenAIEmbedderConfiguration, client: HTTPClient,
        apiKey: String?, logger: Logger
    ) async throws -> [[Float]] {
        var body = "{\"model\":"
        JSONValue.writeString(c.model, to: &body)
        body += ",\"input\":"
        body += JSONValue.array(texts.map { .string($0) }).serialized()
        body += ",\"encoding_format\":\"float\"}"
        var attempt = 0
        while true {
            var req = HTTPClientRequest(url: c.endpoint)
            req.method = .POST
            req.headers.add(name: "Content-Type", value: "application/json")
            if let apiKey { req.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
            req.body = .bytes(ByteBuffer(string: body))
            var retryAfter: Duration? = nil
            var failure: EmbeddingServiceError
            do {
                let response = try await client.execute(
                    req,
                    timeout: .nanoseconds(
                        Int64(c.timeout.components.seconds) * 1_000_000_000 + c.timeout.components.attoseconds / 1_000_000_000))
                let bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
                let status = Int(response.status.code)
                if status == 200 {
                    return try parse(bytes, count: texts.count, batch: batch, endpoint: c.endpoint)
                }
                let excerpt = String(buffer: bytes).prefix(300)
                let answered = EmbeddingServiceError(
                    description: "\(c.endpoint) answered \(status) for batch \(batch) (\(texts.count) texts): \(excerpt)", status: status)
                guard status == 429 || status >= 500 else { throw answered }
                failure = answered
                if status == 429, let header = response.headers.first(name: "Retry-After") { retryAfter = parseRetryAfter(header) }
            } catch let e as EmbeddingServiceError {
                throw e
            } catch {
                failure = EmbeddingServiceError(description: "cannot reach \(c.endpoint) for batch \(batch): \(error)")
            }
            guard attempt < c.maxRetries else {
                throw EmbeddingServiceError(
                    description: failure.description + " (gave up after \(attempt + 1) attempts)", status: failure.status)
            }
            let delay = retryAfter ?? backoff(attempt: attempt, c)
            logger.warning(
                "embeddings request failed; retrying",
                metadata: [
                    "batch": "\(batch)", "attempt": "\(attempt + 1)",
                    "delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                    "error": "\(failure.description.prefix(200))"
                ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }

    /// Full jitter: a random delay up to initial · 2^attempt, capped.
    static func backoff(attempt: Int, _ c: OpenAIEmbedderConfiguration) -> Duration {
        let cap = min(c.maxBackoff, c.initialBackoff * (1 << min(attempt, 20)))
        let ms = Double(cap.components.seconds) * 1000 + Double(cap.components.attoseconds) / 1e15
        return .milliseconds(Int64(Double.random(in: 0...max(ms, 1))))
    }

    /// `Retry-After` as seconds or as an HTTP date; capped at 5 minutes.
    static func parseRetryAfter(_ value: String) -> Duration? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let s = Double(v) { return .milliseconds(Int64(min(max(s, 0), 300) * 1000)) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = f.date(from: v) else { return nil }
        return .milliseconds(Int64(min(max(date.timeIntervalSinceNow, 0), 300) * 1000))
    }

    static func parse(_ bytes: ByteBuffer, count: Int, batch: Int, endpoint: String) throws -> [[Float]] {
        let json: JSONValue
        do {
            json = try bytes.withUnsafeReadableBytes { try JSONParser.parse($0.bindMemory(to: UInt8.self)) }
        } catch {
            throw EmbeddingServiceError(description: "\(endpoint) sent malformed JSON for batch \(batch): \(error)")
        }
        guard case .object(let o, _) = json, case .array(let data)? = o["data"] else {
            throw EmbeddingServiceError(
                description: "\(endpoint) sent no \"data\" array for batch \(batch): \(String(buffer: bytes).prefix(200))")
        }
        guard data.count == count else {
            throw EmbeddingServiceError(
                description: "\(endpoint) returned \(data.count) embeddings for the \(count) texts of batch \(batch)")
        }
        var out = [[Float]](repeating: [], count: count)
        for (position, item) in data.enumerated() {
            guard case .object(let e, _) = item, case .array(let values)? = e["embedding"] else {
                throw EmbeddingServiceError(
                    description:
                        "\(endpoint): item \(position) of batch \(batch) has no \"embedding\" array (base64 encoding is not supported)")
            }
            var index = position
            if case .number(let n)? = e["index"] { index = Int(n) }
            guard index >= 0, index < count else {
                throw EmbeddingServiceError(description: "\(endpoint): bad index \(index) in batch \(batch)")
            }
            if case .array(let inner)? = values.first {
                throw EmbeddingServiceError(
                    description:
                        "\(endpoint) returned per-token vectors (\(values.count) × \(inner.count)) instead of one pooled vector per text: enable pooling on the server (llama.cpp: --pooling mean)"
                )
            }
            var v = [Float]()
            v.reserveCapacity(values.count)
            for x in values {
                guard case .number(let d) = x else {
                    throw EmbeddingServiceError(description: "\(endpoint): a non-number in embedding \(index) of batch \(batch)")
                }
                v.append(Float(d))
            }
            var norm: Float = 0
            for x in v { norm += x * x }
            guard norm > 0, norm.isFinite else {
                throw EmbeddingServiceError(description: "\(endpoint): embedding \(index) of batch \(batch) is zero or not finite")
            }
            let inv = 1 / norm.squareRoot()
            out[index] = v.map { $0 * inv }
        }
        return out
    }
}
