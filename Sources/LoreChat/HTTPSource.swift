import AsyncHTTPClient
import Foundation
import Logging
import LoreCore
import LoreQuery
import NIOCore

/// Answers from a running `lore serve`: `POST {base}/v1/query` with `stream: true`, read as
/// server-sent events (`retrieval`, `delta`, `guardrail`, `done`, `error`). The
/// conversation goes with every request (`history`, `conversation_id`). Cancelling the
/// consuming task cancels the request, which closes the connection: the server stops
/// generating.
public struct HTTPSource: AnswerSource {
    public let baseURL: String
    /// The collection asked (nil: the server's default).
    public let collection: String?
    private let apiKey: String?
    private let client: HTTPClient
    private let logger: Logger

    /// `baseURL` is `http://HOST:PORT` (a trailing `/` is ignored); `apiKey` goes in
    /// `Authorization: Bearer`.
    public init(baseURL: String, apiKey: String?, collection: String? = nil, logger: Logger = Logger(label: "lore.chat")) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.collection = collection
        self.client = ChatHTTPClient.shared
        self.logger = logger
    }

    public var label: String { "server: \(baseURL)" + (collection.map { ", collection \($0)" } ?? "") }

    /// The JSON body of `POST /v1/query` for `query`.
    public static func body(_ query: ChatQuery, collection: String? = nil) throws -> Data {
        var object: [String: Any] = [
            "question": query.question, "stream": true, "conversation_id": query.conversationID,
            "history": query.history.map { ["role": $0.role.rawValue, "content": $0.content] }
        ]
        if let collection { object["collection"] = collection }
        if let k = query.settings.k { object["k"] = k }
        if let mode = query.settings.mode { object["mode"] = mode.rawValue }
        if let prompt = query.settings.prompt { object["prompt"] = prompt }
        if let backend = query.settings.backend { object["backend"] = backend }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    public func answer(_ query: ChatQuery) -> AsyncThrowingStream<QueryEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.stream(query) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func stream(_ query: ChatQuery, emit: (QueryEvent) -> Void) async throws {
        let response = try await post("/v1/query", body: try Self.body(query, collection: collection), accept: "text/event-stream")
        // An event left open when the body ends is discarded (the standard's rule): the
        // server closes every event, and an answer without its `done` event is incomplete.
        var decoder = ServerSentEventDecoder()
        var done = false
        for try await buffer in response.body {
            decoder.append(buffer.readableBytesView)
            while let event = try decoder.next() {
                if let e = try Self.decode(event) { emit(e) } else { continue }
                if event.type == "done" { done = true }
            }
        }
        try Task.checkCancellation()
        guard done else {
            throw ChatFailure(code: "incomplete", "the server's stream ended before the answer was done (\(baseURL))")
        }
    }

    /// The pipeline event an SSE event carries; an `error` event is thrown.
    static func decode(_ event: ServerSentEvent) throws -> QueryEvent? {
        let data = Data(event.data.utf8)
        let decoder = JSONDecoder()
        do {
            switch event.type {
            case "retrieval": return .retrieval(try decoder.decode(CitationsBody.self, from: data).citations)
            case "delta": return .delta(try decoder.decode(DeltaBody.self, from: data).text)
            case "guardrail": return .guardrail(try decoder.decode(FindingsBody.self, from: data).findings)
            case "done": return .done(try decoder.decode(QueryResponse.self, from: data))
            case "error":
                let e = try decoder.decode(ErrorBody.self, from: data).error
                throw ChatFailure(code: e.code, e.message)
            default: return nil
            }
        } catch let e as DecodingError {
            throw ChatFailure(code: "malformed", "the server sent a \(event.type) event Lore cannot read: \(e)")
        }
    }

    public func passageText(_ citation: Citation, standaloneQuestion: String, settings: ChatSettings) async throws -> String {
        // `/v1/retrieve` with the question and settings the answer used returns the
        // passages whole; the citation's passage is the one holding its best chunk.
        var object: [String: Any] = ["question": standaloneQuestion]
        if let collection { object["collection"] = collection }
        if let k = settings.k { object["k"] = k }
        if let mode = settings.mode { object["mode"] = mode.rawValue }
        let response = try await post("/v1/retrieve", body: try JSONSerialization.data(withJSONObject: object), accept: "application/json")
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let passages: [RetrievedPassage]
        do { passages = try JSONDecoder().decode(RetrieveBody.self, from: Data(bytes.readableBytesView)).passages } catch {
            throw ChatFailure(code: "malformed", "\(baseURL)/v1/retrieve answered something Lore cannot read: \(error)")
        }
        guard let passage = passages.first(where: { $0.chunkIDs.contains(citation.chunkID) }) else {
            throw ChatFailure(code: "not_found", "the server no longer retrieves source \(citation.n) for this question")
        }
        return passage.text
    }

    /// `POST /v1/feedback` for the answer of `requestID`.
    public func rate(requestID: String, rating: Int, comment: String?) async throws {
        var object: [String: Any] = ["request_id": requestID, "rating": rating]
        if let comment { object["comment"] = comment }
        let response = try await post("/v1/feedback", body: try JSONSerialization.data(withJSONObject: object), accept: "application/json")
        _ = try await response.body.collect(upTo: 1 << 20)
    }

    /// A POST that answered 2xx; any other status is thrown as a `ChatFailure` with the
    /// server's error code and message.
    private func post(_ path: String, body: Data, accept: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "lore-chat")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .minutes(30), logger: nil)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            logger.debug("request failed", metadata: ["url": "\(baseURL + path)", "error": "\(error)"])
            throw ChatFailure(code: "unreachable", "cannot reach the server at \(baseURL): \(Self.describe(error))")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let bytes = (try? await response.body.collect(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
            let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(bytes.utf8)).error
            var message = error?.message ?? (bytes.isEmpty ? "no details" : String(bytes.prefix(300)))
            if status == 429 { message = "the server is busy: \(message)" }
            if status == 401 || status == 403 { message = "not allowed: \(message) (is --api-key-env set to the right key?)" }
            throw ChatFailure(status: status, code: error?.code ?? "http_\(status)", message)
        }
        return response
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        return text
    }

    private struct CitationsBody: Decodable { var citations: [Citation] }
    private struct DeltaBody: Decodable { var text: String }
    private struct FindingsBody: Decodable { var findings: [GuardFinding] }
    private struct ErrorBody: Decodable {
        struct Detail: Decodable { var code: String; var message: String }
        var error: Detail
    }
    private struct RetrieveBody: Decodable { var passages: [RetrievedPassage] }
    private struct RetrievedPassage: Decodable {
        var chunkIDs: [Int64]
        var text: String
        enum CodingKeys: String, CodingKey { case chunkIDs = "chunk_ids", text }
    }
}

/// The chat's HTTP client, alive as long as the process (as `HTTPClient.shared` is):
/// connections fail fast when the server is down, and bytes are passed on as they come.
enum ChatHTTPClient {
    static let shared: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.connectionPool.retryConnectionEstablishment = false
        config.timeout.connect = .seconds(5)
        config.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()
}
