import Foundation
import Logging
import LoreCore
import LorePrompts
import LoreRetrieval
import Metrics

/// Question in, grounded and cited answer out: the one pipeline behind `lore query`, the
/// HTTP API and the chat.
///
/// input guard → condense (follow-ups) → retrieve → context guard → select the prompt
/// (pinned, default or A/B) → assemble numbered sources within the prompt's token budget →
/// refuse if the context is insufficient, else generate (streamed) → output guard.
public final class QueryService: Sendable {
    public let retriever: Retriever
    public let prompts: PromptRegistry
    public let assembler: ContextAssembler
    /// Generation backends by name (`extractive` among them).
    public let generators: [String: any Generator]
    public let defaultBackend: String
    public let guards: any QueryGuards
    /// Adds citations an LLM left out (nil: never).
    public let attributor: CitationAttributor?
    /// The backend that answers when the chosen one is unreachable before its first token
    /// (`generation.fallback`, e.g. `extractive`); nil: such a query fails with
    /// `QueryError.backendUnavailable`.
    public let fallbackBackend: String?
    private let logger: Logger

    public init(retriever: Retriever, prompts: PromptRegistry, assembler: ContextAssembler, generators: [String: any Generator],
                defaultBackend: String, guards: any QueryGuards = PassThroughGuards(),
                attributor: CitationAttributor? = CitationAttributor(), fallbackBackend: String? = nil,
                logger: Logger = Logger(label: "lore.query")) throws {
        guard generators[defaultBackend] != nil else {
            throw QueryError(.backend, "the default generation backend \(defaultBackend) is not configured (configured: \(generators.keys.sorted().joined(separator: ", ")))")
        }
        if let fallbackBackend, generators[fallbackBackend] == nil {
            throw QueryError(.backend, "the fallback generation backend \(fallbackBackend) is not configured (configured: \(generators.keys.sorted().joined(separator: ", ")))")
        }
        self.fallbackBackend = fallbackBackend
        _ = try prompts.select(KnownPrompts.answer)
        self.retriever = retriever
        self.prompts = prompts
        self.assembler = assembler
        self.generators = generators
        self.defaultBackend = defaultBackend
        self.guards = guards
        self.attributor = attributor
        self.logger = logger
    }

    /// Answers and returns the whole response (deltas are collected).
    public func answer(_ request: QueryRequest) async throws -> QueryResponse {
        for try await event in run(request) {
            if case .done(let response) = event { return response }
        }
        throw QueryError(.backend, "the pipeline ended without an answer")
    }

    /// Answers as a stream of events. Errors before any text are thrown from the stream.
    public func run(_ request: QueryRequest) -> AsyncThrowingStream<QueryEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.pipeline(request) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func pipeline(_ request: QueryRequest, emit: @Sendable (QueryEvent) -> Void) async throws {
        let started = DispatchTime.now()
        let requestID = request.requestID.isEmpty ? Self.newRequestID() : request.requestID
        var timings = QueryTimings()
        var findings: [GuardFinding] = []
        var backendName = request.backend ?? defaultBackend
        guard var generator = generators[backendName] else {
            throw QueryError(.invalidRequest, "backend \(backendName): unknown; configured backends are \(generators.keys.sorted().joined(separator: ", "))")
        }
        let question = request.question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else { throw QueryError(.invalidRequest, "question: must not be empty") }
        try request.retrieval.validate()
        let template: PromptTemplate
        do {
            template = try prompts.select(request.prompt ?? KnownPrompts.answer, key: request.userKey ?? request.conversationID)
        } catch { throw QueryError(.prompt, "prompt \(request.prompt ?? KnownPrompts.answer): \(error)") }
        guard template.name == KnownPrompts.answer else {
            throw QueryError(.invalidRequest, "prompt \(template.reference): only answer templates can answer questions")
        }
        let info = PromptInfo(name: template.name, version: template.version, hash: template.hash)
        var base = QueryResponse(
            requestID: requestID, question: question, standaloneQuestion: question, answer: "", citations: [], prompt: info,
            backend: backendName, model: "", mode: request.retrieval.mode.rawValue,
            usage: .none, timingsMs: timings,
            finishReason: "stop", problem: nil, insufficientContext: false, refused: false, withheldSources: 0,
            guardrailFindings: [], conversationID: request.conversationID, attributedCitations: 0)

        // Input guard.
        let guardContext = GuardContext(requestID: requestID, prompt: "\(template.name)@\(template.version)#\(template.hash)")
        var guardClock = DispatchTime.now()
        var input = await guards.checkInput(question, history: request.history, context: guardContext)
        timings.guardrails += Self.ms(since: guardClock)
        // Checks on the question's embedding (the injection classifier): the question is
        // embedded once here, after redaction, and retrieval reuses the vector.
        var questionVector: [Float]? = nil
        if input.blockedAnswer == nil {
            if guards.wantsQuestionVector, let embedder = retriever.embedder {
                let t = DispatchTime.now()
                do { questionVector = try await embedder.embed([input.question]).first } catch {
                    throw QueryError(.retrieval, "embedding the question: \(error)")
                }
                timings.embed += Self.ms(since: t)
            }
            guardClock = DispatchTime.now()
            let checked = await guards.checkQuestion(input.question, vector: questionVector, context: guardContext)
            timings.guardrails += Self.ms(since: guardClock)
            input.findings += checked.findings
            input.blockedAnswer = checked.blockedAnswer
        }
        let history = input.history ?? request.history
        findings += input.findings
        if !input.findings.isEmpty { emit(.guardrail(input.findings)) }
        if let blocked = input.blockedAnswer {
            base.answer = blocked
            base.finishReason = "blocked"
            base.refused = true
            base.guardrailFindings = findings
            base.timingsMs = timings
            base.timingsMs.total = Self.ms(since: started)
            emit(.retrieval([]))
            emit(.delta(blocked))
            finish(base, template: template, emit: emit)
            return
        }

        // Condense a follow-up into a standalone question.
        var standalone = input.question
        if !history.isEmpty {
            let t = DispatchTime.now()
            standalone = await condense(input.question, history: history, generator: generator, key: request.userKey ?? request.conversationID, requestID: requestID)
            timings.condense = Self.ms(since: t)
        }
        base.standaloneQuestion = standalone

        // Retrieve.
        let retrieved: RetrievalResult
        do {
            retrieved = try await retriever.retrieve(standalone, options: request.retrieval, requestID: requestID,
                                                     queryVector: standalone == input.question ? questionVector : nil)
        } catch let e as RetrievalError {
            throw QueryError(.retrieval, e.description)
        }
        timings.embed += retrieved.timings.embed
        timings.retrieve = retrieved.timings.total

        // Context guard, then the numbered sources within the template's budget.
        guardClock = DispatchTime.now()
        let context = await guards.checkContext(retrieved.passages, context: guardContext)
        timings.guardrails += Self.ms(since: guardClock)
        findings += context.findings
        if !context.findings.isEmpty { emit(.guardrail(context.findings)) }
        base.withheldSources = context.withheld
        let ranked = context.passages.enumerated().map { $1.contextSource(number: $0 + 1) }
        let assembled = assembler.assemble(ranked, for: template)
        let passagesByChunk = Dictionary(context.passages.map { ($0.chunkIDs[0], $0) }, uniquingKeysWith: { a, _ in a })
        var citations = assembled.sources.map { s in
            Citation(n: s.number, source: s.source, title: s.title, headingPath: s.headingPath, chunkID: s.chunkID,
                     chunkIDs: passagesByChunk[s.chunkID]?.chunkIDs ?? [s.chunkID], score: passagesByChunk[s.chunkID]?.score ?? s.score,
                     relevance: passagesByChunk[s.chunkID]?.relevance, snippet: Self.snippet(s.text), cited: false)
        }
        emit(.retrieval(citations))
        var answer = ""
        // The answer's text passes the guards' stream filter before it goes out.
        let filter = guards.outputFilter(sources: assembled.sources, context: guardContext)
        var emitted = ""
        func send(_ text: String) {
            guard !text.isEmpty else { return }
            var out = text
            if let filter {
                let t = DispatchTime.now()
                out = filter.push(text)
                timings.guardrails += Self.ms(since: t)
            }
            emitted += out
            if !out.isEmpty { emit(.delta(out)) }
        }
        /// The rest of the filter's text; from here on the answer is what went out.
        func drain() {
            guard let filter else { return }
            let t = DispatchTime.now()
            let (rest, found) = filter.finish()
            timings.guardrails += Self.ms(since: t)
            emitted += rest
            if !rest.isEmpty { emit(.delta(rest)) }
            findings += found
            if !found.isEmpty { emit(.guardrail(found)) }
            answer = emitted
        }

        // Refuse on insufficient context, whatever a model would say.
        let sufficient = retrieved.sufficient && !assembled.sources.isEmpty
        if !sufficient {
            answer = Refusal.text(nearest: assembled.sources, unknownNames: retrieved.unknownNames)
            send(answer)
            drain()
            base.insufficientContext = true
            base.refused = true
            base.finishReason = "refused"
            base.usage = .none
        } else {
            var messages = try template.render(["question": input.question, "context": assembled.text])
            // Earlier turns go between the system message and the new question.
            if !history.isEmpty, let last = messages.popLast() {
                messages += history + [last]
            }
            var parameters = template.parameters
            if let t = request.overrides.temperature { parameters.temperature = t }
            if let m = request.overrides.maxTokens { parameters.maxTokens = m }
            if !request.overrides.stop.isEmpty { parameters.stop = request.overrides.stop }
            let generation = GenerationRequest(messages: messages, parameters: parameters, question: standalone,
                                               sources: assembled.sources, requestID: requestID, stream: request.stream,
                                               questionVector: retrieved.queryVector, questionModel: retriever.embedder?.modelID)
            let t = DispatchTime.now()
            var summary: GenerationSummary? = nil
            func consume(_ generator: any Generator) async throws {
                for try await event in generator.generate(generation) {
                    switch event {
                    case .delta(let text):
                        if timings.firstToken == nil { timings.firstToken = Self.ms(since: t) }
                        answer += text
                        send(text)
                    case .finished(let s):
                        summary = s
                    }
                }
            }
            do {
                do {
                    try await consume(generator)
                } catch let e as GenerationError where e.isRetryable && answer.isEmpty && fallbackBackend != nil && fallbackBackend != backendName {
                    // Nothing was said yet: the fallback answers instead, and the response says so.
                    let fallback = fallbackBackend!
                    Counter(label: "lore_generation_fallbacks_total", dimensions: [("backend", backendName), ("fallback", fallback)]).increment()
                    logger.warning("generation backend unavailable, answering with the fallback",
                                   metadata: ["request_id": "\(requestID)", "backend": "\(backendName)", "fallback": "\(fallback)", "error": "\(e)"])
                    base.fallbackFrom = backendName
                    base.backend = fallback
                    backendName = fallback
                    generator = generators[fallback]!
                    try await consume(generator)
                }
            } catch let e as GenerationError {
                Counter(label: "lore_queries_total", dimensions: Self.labels(info, backendName, outcome: "error")).increment()
                logger.error("generation failed", metadata: ["request_id": "\(requestID)", "backend": "\(backendName)", "prompt": "\(template.identity)", "error": "\(e)"])
                throw QueryError(e.kind == .connect || e.kind == .unavailable ? .backendUnavailable : .backend, e.description)
            }
            timings.generate = Self.ms(since: t)
            if let s = summary {
                base.model = s.model
                base.usage = s.usage
                base.finishReason = s.finishReason.rawValue
                base.problem = s.problem
                Counter(label: "lore_tokens_total", dimensions: [("backend", backendName), ("kind", "prompt")]).increment(by: s.usage.promptTokens)
                Counter(label: "lore_tokens_total", dimensions: [("backend", backendName), ("kind", "completion")]).increment(by: s.usage.completionTokens)
                if let ttft = timings.firstToken {
                    Timer(label: "lore_time_to_first_token_seconds", dimensions: [("backend", backendName)]).recordNanoseconds(Int64(ttft * 1e6))
                }
            } else {
                base.finishReason = FinishReason.incomplete.rawValue
                base.problem = "the backend ended without a finish event"
            }
            drain()
            base.refused = Refusal.isRefusal(answer)
            if !base.refused, let attributor, !(generator is ExtractiveAnswerer) {
                let (attributed, added) = attributor.attribute(answer, sources: assembled.sources)
                answer = attributed
                base.attributedCitations = added
            }
        }

        // The output guard over the whole answer.
        guardClock = DispatchTime.now()
        let output = await guards.checkOutput(answer, sources: assembled.sources, sufficientContext: sufficient, context: guardContext)
        timings.guardrails += Self.ms(since: guardClock)
        findings += output.findings
        if !output.findings.isEmpty { emit(.guardrail(output.findings)) }
        answer = output.answer
        // The answer says when a source was withheld.
        if context.withheld > 0 {
            let note = "\n\n" + Self.withheldNote(context.withheld)
            answer += note
            emit(.delta(note))
        }

        let cited = Self.citedNumbers(answer)
        for i in citations.indices { citations[i].cited = cited.contains(citations[i].n) }
        base.answer = answer
        base.citations = citations
        base.guardrailFindings = findings
        timings.total = Self.ms(since: started)
        base.timingsMs = timings
        finish(base, template: template, emit: emit)
    }

    private func finish(_ response: QueryResponse, template: PromptTemplate, emit: @Sendable (QueryEvent) -> Void) {
        let info = response.prompt
        Counter(label: "lore_queries_total", dimensions: Self.labels(info, response.backend, outcome: response.finishReason)).increment()
        for (stage, ms) in [("condense", response.timingsMs.condense), ("embed", response.timingsMs.embed),
                            ("retrieve", response.timingsMs.retrieve), ("generate", response.timingsMs.generate),
                            ("guardrails", response.timingsMs.guardrails), ("total", response.timingsMs.total)] {
            Timer(label: "lore_query_stage_seconds", dimensions: [("stage", stage)] + Self.labels(info, response.backend, outcome: nil))
                .recordNanoseconds(Int64(ms * 1e6))
        }
        logger.info("answered", metadata: [
            "request_id": "\(response.requestID)", "prompt": "\(info.name)@\(info.version)", "prompt_hash": "\(info.hash)",
            "backend": "\(response.backend)", "mode": "\(response.mode)", "finish": "\(response.finishReason)",
            "sources": "\(response.citations.count)", "cited": "\(response.citations.filter(\.cited).count)",
            "tokens": "\(response.usage.totalTokens)", "ms": "\(String(format: "%.1f", response.timingsMs.total))",
        ])
        emit(.done(response))
    }

    /// A follow-up as a standalone question: the `condense` prompt on an LLM backend, the
    /// heuristic otherwise (or when the LLM fails or answers nothing usable).
    func condense(_ question: String, history: [ChatMessage], generator: any Generator, key: String?, requestID: String) async -> String {
        let heuristic = HeuristicCondenser.condense(question, history: history)
        guard !(generator is ExtractiveAnswerer), let template = try? prompts.select(KnownPrompts.condense, key: key) else { return heuristic }
        let transcript = history.suffix(6).map { "\($0.role == .user ? "User" : "Assistant"): \($0.content)" }.joined(separator: "\n")
        do {
            let messages = try template.render(["question": question, "history": transcript])
            var text = ""
            for try await event in generator.generate(GenerationRequest(messages: messages, parameters: template.parameters,
                                                                        question: question, requestID: requestID, stream: false)) {
                if case .delta(let d) = event { text += d }
            }
            let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if line.count >= 3 && line.count <= 4 * max(question.count, 200) { return line }
            logger.warning("condense gave nothing usable; using the heuristic", metadata: ["request_id": "\(requestID)"])
        } catch {
            logger.warning("condense failed; using the heuristic", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
        }
        return heuristic
    }

    /// The line an answer ends with when the guardrails withheld retrieved sources.
    public static func withheldNote(_ n: Int) -> String {
        "(\(n) retrieved source\(n == 1 ? " was" : "s were") withheld: \(n == 1 ? "it contains" : "they contain") instructions aimed at the assistant.)"
    }

    /// The citation numbers `[n]` (also `[1, 2]` and `[1][2]`) in an answer.
    public static func citedNumbers(_ text: String) -> Set<Int> {
        var out = Set<Int>()
        var i = text.startIndex
        while let open = text[i...].firstIndex(of: "[") {
            guard let close = text[open...].firstIndex(of: "]") else { break }
            let inner = text[text.index(after: open)..<close]
            let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if !parts.isEmpty, parts.allSatisfy({ Int($0) != nil }) { parts.forEach { out.insert(Int($0)!) } }
            i = text.index(after: open)
        }
        return out
    }

    static func snippet(_ text: String, limit: Int = 240) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }

    static func labels(_ p: PromptInfo, _ backend: String, outcome: String?) -> [(String, String)] {
        var l = [("prompt", p.name), ("prompt_version", p.version), ("prompt_hash", p.hash), ("backend", backend)]
        if let outcome { l.append(("outcome", outcome)) }
        return l
    }

    static func newRequestID() -> String { String(UUID().uuidString.lowercased().prefix(18)) }

    static func ms(since t: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6 }
}
