import AsyncHTTPClient
import Foundation
import LoreCore
import NIOCore

/// What one exchange has received so far.
struct ExchangeProgress {
    var textStarted = false
    var completionBytes = 0
    var timeToFirstToken: Double?
    var finishReason: String?
    var usage: TokenUsage?
    var sawDone = false
}

/// Internal signals of one exchange.
private struct FirstTokenTooLate: Error {}
private struct StreamServerError: Error {
    var message: String
    var code: Int?
}

extension OpenAICompatibleGenerator {
    /// One HTTP request and its response, yielding deltas as they come.
    func exchange(
        _ body: String, _ request: GenerationRequest, gate: AttemptGate, started: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant, _ continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    ) async -> AttemptOutcome {
        let endpoint = configuration.endpoint
        var http = HTTPClientRequest(url: endpoint)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: request.stream ? "text/event-stream" : "application/json")
        http.headers.add(name: "User-Agent", value: "lore")
        if let apiKey { http.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        http.body = .bytes(ByteBuffer(string: body))

        var progress = ExchangeProgress()

        /// Yields `text`, first checking (once) that the first-token limit has not struck.
        func emit(_ text: String) throws {
            guard !text.isEmpty else { return }
            if !progress.textStarted {
                guard gate.beginText() else { throw FirstTokenTooLate() }
                progress.textStarted = true
                progress.timeToFirstToken = (ContinuousClock.now - started).seconds
            }
            progress.completionBytes += text.utf8.count
            continuation.yield(.delta(text))
        }

        /// Takes one parsed part; false once the answer is complete.
        func take(_ part: ChatCompletionPart) throws {
            if let message = part.error { throw StreamServerError(message: message, code: part.errorCode) }
            try emit(part.content)
            if let reason = part.finishReason { progress.finishReason = reason }
            if let usage = part.usage { progress.usage = usage }
        }

        do {
            let remaining = max(deadline - ContinuousClock.now, .milliseconds(1))
            let response: HTTPClientResponse
            do {
                response = try await client.execute(http, deadline: .now() + .nanoseconds(remaining.nanoseconds), logger: nil)
            } catch {
                return failure(error, progress, gate, request, phase: "cannot connect to \(endpoint)")
            }
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let bytes = try await response.body.collect(upTo: 1 << 20)
                let message = ChatCompletionPayload.errorMessage(fromBody: String(buffer: bytes))
                return .failed(GenerationError(.status, backend: name, "\(endpoint) answered \(status): \(message)", status: status))
            }
            let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
            if !request.stream || contentType.contains("application/json") {
                // One JSON answer (also when a server ignores `stream: true`); anything
                // else is read as server-sent events, whatever its content type says.
                let bytes = try await response.body.collect(upTo: 64 << 20)
                try take(try ChatCompletionPayload.parse(String(buffer: bytes), streamed: false))
                progress.sawDone = true
            } else {
                // A chat-completions server sends only standard fields: any other line means
                // the body is not an event stream (an HTML error page, say), reported as malformed.
                var decoder = ServerSentEventDecoder(unknownFields: .reject)
                reading: for try await buffer in response.body {
                    decoder.append(buffer.readableBytesView)
                    while let event = try decoder.next() {
                        if event.data == "[DONE]" {
                            progress.sawDone = true
                            break reading
                        }
                        try take(try ChatCompletionPayload.parse(event.data, streamed: true))
                    }
                }
                // Unlike the standard, which discards an event left open at the end of the
                // stream, the last event is taken even without its closing blank line (some
                // servers end with `data: [DONE]` and close), as this client always has.
                if !progress.sawDone, let event = try decoder.finish(flushing: true) {
                    if event.data == "[DONE]" {
                        progress.sawDone = true
                    } else {
                        try take(try ChatCompletionPayload.parse(event.data, streamed: true))
                    }
                }
            }
        } catch {
            return failure(error, progress, gate, request, phase: "the response from \(endpoint) broke")
        }

        if progress.sawDone || progress.finishReason != nil {
            let finish: FinishReason = progress.finishReason == "length" ? .length : .stop
            return .finished(summary(progress, request, finish))
        }
        if progress.textStarted {
            return .finished(
                summary(progress, request, .incomplete, problem: "the stream from \(endpoint) ended without a finish reason or [DONE]"))
        }
        return .failed(GenerationError(.malformed, backend: name, "the stream from \(endpoint) ended without any answer"))
    }

    /// The summary of what was received, with estimated usage where the server sent none.
    func summary(_ progress: ExchangeProgress, _ request: GenerationRequest, _ finish: FinishReason, problem: String? = nil)
        -> GenerationSummary
    {
        let usage =
            progress.usage
            ?? TokenUsage(
                promptTokens: TokenEstimate.prompt(request.messages),
                completionTokens: (progress.completionBytes + 3) / 4, estimated: true)
        return GenerationSummary(
            backend: name, model: configuration.model, usage: usage, finishReason: finish,
            problem: problem, timeToFirstToken: progress.timeToFirstToken)
    }

    /// What an error means: before any text, a `GenerationError` (or cancellation); after
    /// text, an `.incomplete` answer.
    private func failure(
        _ error: any Error, _ progress: ExchangeProgress, _ gate: AttemptGate, _ request: GenerationRequest,
        phase: String
    ) -> AttemptOutcome {
        let expiry = gate.expiry
        if expiry == nil, Task.isCancelled { return .cancelled }
        let endpoint = configuration.endpoint
        if progress.textStarted {
            let problem: String
            switch (expiry, error) {
            case (.request?, _): problem = "the generation did not end within the request timeout (\(configuration.requestTimeout))"
            case (_, let e as MalformedResponse): problem = "malformed stream after text: \(e)"
            case (_, let e as ServerSentEventDecoder.SyntaxError): problem = "malformed stream after text: \(e)"
            case (_, let e as StreamServerError): problem = "the server reported an error mid-stream: \(e.message)"
            default: problem = "the connection to \(endpoint) broke mid-stream: \(Self.describe(error))"
            }
            return .finished(summary(progress, request, .incomplete, problem: problem))
        }
        switch (expiry, error) {
        case (.firstToken?, _), (_, is FirstTokenTooLate):
            return .failed(
                GenerationError(.timeout, backend: name, "no first token from \(endpoint) within \(configuration.firstTokenTimeout)"))
        case (.request?, _):
            return .failed(
                GenerationError(
                    .timeout, backend: name, "no answer from \(endpoint) within the request timeout (\(configuration.requestTimeout))"))
        case (_, let e as MalformedResponse):
            return .failed(GenerationError(.malformed, backend: name, "\(endpoint) sent \(e)"))
        case (_, let e as ServerSentEventDecoder.SyntaxError):
            return .failed(GenerationError(.malformed, backend: name, "\(endpoint) sent \(e)"))
        case (_, let e as StreamServerError):
            let status = e.code.flatMap { (400...599).contains($0) ? $0 : nil } ?? 500
            return .failed(
                GenerationError(.status, backend: name, "\(endpoint) reported an error in the stream: \(e.message)", status: status))
        case (_, let e as HTTPClientError) where e == .deadlineExceeded || e == .readTimeout:
            return .failed(GenerationError(.timeout, backend: name, "no answer from \(endpoint) in time (\(e))"))
        case (_, let e as HTTPClientError) where e == .connectTimeout:
            return .failed(GenerationError(.connect, backend: name, "cannot connect to \(endpoint) within \(configuration.connectTimeout)"))
        default:
            return .failed(GenerationError(.connect, backend: name, "\(phase): \(Self.describe(error))"))
        }
    }

    /// A short, readable description of a transport error.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        if let e = error as? HTTPClientError, e == .remoteConnectionClosed { return "the server closed the connection" }
        return text
    }
}
