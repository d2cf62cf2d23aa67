import Foundation
import Logging
import LoreCore
import LorePrompts
import LoreRetrieval
import Metrics

/// Question in, grounded and cited answer out: the one pipeline behind `lore query`, the
/// HTTP API and the chat.
///
/// input guard → condense (follow-ups) → retrieve → context guard → prompt (numbered sources
/// within the template's token budget) → refuse if the context is insufficient, else
/// generate (streamed) → output guard. Each stage is a type of its own (`Stages/`), run over
/// a `QueryRun`; the prompt template (pinned, default or A/B) is chosen when the run starts.
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
    /// Prices per backend name (a pool's members by their own names): an answer's
    /// `usage.cost`.
    public let prices: [String: TokenPrice]
    /// Where answered requests are recorded (the request log); nil: nowhere.
    public let recorder: (any QueryRecorder)?
    /// Routes each request to the primary or a candidate under trial (a canary); nil: every
    /// request runs as configured.
    public let router: (any QueryRouter)?
    /// The pipeline the canary arm runs on when the candidate is another index version (a
    /// replica's); nil: the canary arm runs here, with the candidate's overrides.
    public let canaryService: QueryService?
    /// Where the server counts the requests users wait for (every channel but the shadow
    /// candidate's), so background work can keep to spare capacity; nil: not counted.
    public let activity: ForegroundActivity?
    private let logger: Logger

    public init(
        retriever: Retriever, prompts: PromptRegistry, assembler: ContextAssembler, generators: [String: any Generator],
        defaultBackend: String, guards: any QueryGuards = PassThroughGuards(),
        attributor: CitationAttributor? = CitationAttributor(), fallbackBackend: String? = nil,
        prices: [String: TokenPrice] = [:], recorder: (any QueryRecorder)? = nil, router: (any QueryRouter)? = nil,
        canaryService: QueryService? = nil, activity: ForegroundActivity? = nil, logger: Logger = Logger(label: "lore.query")
    ) throws {
        self.canaryService = canaryService
        self.activity = activity
        guard generators[defaultBackend] != nil else {
            throw QueryError(
                .backend,
                "the default generation backend \(defaultBackend) is not configured (configured: \(generators.keys.sorted().joined(separator: ", ")))"
            )
        }
        if let fallbackBackend, generators[fallbackBackend] == nil {
            throw QueryError(
                .backend,
                "the fallback generation backend \(fallbackBackend) is not configured (configured: \(generators.keys.sorted().joined(separator: ", ")))"
            )
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
        self.prices = prices
        self.recorder = recorder
        self.router = router
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
            let foreground = request.origin.channel != "shadow" ? activity : nil
            foreground?.begin()
            // A background caller (the shadow candidate) keeps its executor for the pipeline.
            let task = Task(executorPreference: BackgroundExecutor.preferred) {
                defer { foreground?.end() }
                do {
                    if let router = self.router, request.origin.channel != "shadow" {
                        try await self.routed(router.route(request), router: router) { continuation.yield($0) }
                    } else {
                        try await self.pipeline(request) { continuation.yield($0) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs a routed request and tells the router how it ended. On the canary arm the
    /// candidate's events are held until its first text: when it fails before any (a backend
    /// down, a timeout), the client sees nothing of it and the primary answers instead
    /// (`arm` `canary_fallback` in the request log).
    private func routed(_ routed: RoutedQuery, router: any QueryRouter, emit: @escaping @Sendable (QueryEvent) -> Void) async throws {
        var routed = routed
        routed.request.origin.arm = routed.arm.rawValue
        let held = HeldEvents(release: routed.arm == .canary ? nil : emit)
        let target = routed.arm == .canary ? (canaryService ?? self) : self
        do {
            try await target.pipeline(routed.request) { event in held.pass(event, to: emit) }
            let outcome: QueryOutcome =
                held.response.map { .answered($0) } ?? .failed(QueryError(.backend, "the pipeline ended without an answer"))
            router.observe(routed, outcome: outcome)
        } catch {
            if error is CancellationError || Task.isCancelled { throw error }
            router.observe(routed, outcome: .failed(error))
            guard routed.arm == .canary, !held.released else { throw error }
            logger.warning(
                "canary failed before any text; the primary answers",
                metadata: ["request_id": "\(routed.original.requestID)", "error": "\(error)"])
            var primary = routed.original
            primary.origin.arm = "canary_fallback"
            try await pipeline(primary, emit: emit)
        }
    }

    /// The stages, each a small type that another configuration can run on its own
    /// (shadow traffic and canaries run a stage with a candidate's settings).
    public var inputGuard: InputGuardStage { InputGuardStage(guards: guards, embedder: retriever.embedder) }
    public var condenser: CondenseStage { CondenseStage(prompts: prompts, logger: logger) }
    public var retrieval: RetrieveStage { RetrieveStage(retriever: retriever) }
    public var contextGuard: ContextGuardStage { ContextGuardStage(guards: guards) }
    public var promptStage: PromptStage { PromptStage(assembler: assembler) }
    public var generation: GenerateStage {
        GenerateStage(
            generators: generators, fallbackBackend: fallbackBackend, attributor: attributor,
            questionModel: retriever.embedder?.modelID, prices: prices, logger: logger)
    }
    public var outputGuard: OutputGuardStage { OutputGuardStage(guards: guards) }

    /// The pipeline: input guard → condense → retrieve → context guard → prompt → generate
    /// (or refuse on insufficient context) → output guard.
    /// Traced, each run is a `query` span (a child of the server's span) with a child span per
    /// stage; retrieval adds its own (embed, lexical and dense search, fusion, MMR).
    func pipeline(_ request: QueryRequest, emit: @escaping @Sendable (QueryEvent) -> Void) async throws {
        try await Tracing.withSpan(
            "query", attributes: [("openinference.span.kind", .string("CHAIN")), ("lore.channel", .string(request.origin.channel))]
        ) { span in
            try await stages(request, span: span, emit: emit)
        }
    }

    private func stages(_ request: QueryRequest, span: Span?, emit: @escaping @Sendable (QueryEvent) -> Void) async throws {
        let backend = request.backend ?? defaultBackend
        guard let generator = generators[backend] else {
            throw QueryError(
                .invalidRequest, "backend \(backend): unknown; configured backends are \(generators.keys.sorted().joined(separator: ", "))")
        }
        var run = try QueryRun(request, prompts: prompts, backend: backend, emit: emit)
        span?.set("lore.request_id", run.requestID)
        span?.set("lore.prompt", "\(run.template.name)@\(run.template.version)")
        span?.set("lore.prompt.hash", run.template.hash)
        if let arm = request.origin.arm { span?.set("lore.canary.arm", arm) }

        let blocked = try await Tracing.withSpan("input_guard", attributes: [("openinference.span.kind", .string("GUARDRAIL"))]) { s in
            let blocked = try await inputGuard.run(&run)
            s?.set("lore.guardrail.blocked", blocked != nil)
            s?.set("lore.guardrail.findings", run.findings.count)
            return blocked
        }
        span?.setContent("input.value", run.question)
        if let blocked {
            emit(.retrieval([]))
            emit(.delta(blocked))
            run.response.answer = blocked
            run.response.finishReason = "blocked"
            run.response.refused = true
            return finish(&run)
        }
        if !run.history.isEmpty {
            await Tracing.withSpan("condense", attributes: [("openinference.span.kind", .string("LLM"))]) { s in
                await condenser.run(&run, generator: generator)
                s?.set("lore.condensed", run.standalone != run.question)
            }
        } else {
            await condenser.run(&run, generator: generator)
        }
        let retrieved = try await Tracing.withSpan(
            "retrieve",
            attributes: [
                ("openinference.span.kind", .string("RETRIEVER")), ("lore.retrieval.mode", .string(request.retrieval.mode.rawValue)),
                ("lore.retrieval.k", .int(Int64(request.retrieval.k)))
            ]
        ) { s in
            let r = try await retrieval.run(&run)
            s?.set("lore.retrieval.passages", r.passages.count)
            s?.set("lore.retrieval.sufficient", r.sufficient)
            if let best = r.bestRelevance { s?.set("lore.retrieval.best_relevance", best) }
            return r
        }
        let context = await Tracing.withSpan("context_guard", attributes: [("openinference.span.kind", .string("GUARDRAIL"))]) { s in
            let c = await contextGuard.run(retrieved.passages, &run)
            s?.set("lore.guardrail.withheld", c.withheld)
            return c
        }
        let promptSpan = Tracing.begin("prompt")
        var (assembled, citations) = promptStage.run(context.passages, &run)
        promptSpan?.set("lore.prompt.sources", assembled.sources.count)
        promptSpan?.end()

        var stream = AnswerStream(guards: guards, sources: assembled.sources, context: run.guardContext)
        let sufficient = retrieved.sufficient && !assembled.sources.isEmpty
        var answer: String
        if sufficient {
            answer = try await Tracing.withSpan("generate", attributes: [("openinference.span.kind", .string("LLM"))]) { _ in
                try await generation.run(assembled, questionVector: retrieved.queryVector, stream: &stream, &run)
            }
        } else {
            // Refuse on insufficient context, whatever a model would say.
            stream.send(Refusal.text(nearest: assembled.sources, unknownNames: retrieved.unknownNames), &run)
            answer = stream.drain(&run)
            run.response.insufficientContext = true
            run.response.refused = true
            run.response.finishReason = "refused"
        }
        answer = await Tracing.withSpan("output_guard", attributes: [("openinference.span.kind", .string("GUARDRAIL"))]) { s in
            let a = await outputGuard.run(answer, sources: assembled.sources, sufficient: sufficient, withheld: context.withheld, &run)
            s?.set("lore.guardrail.findings", run.findings.count)
            return a
        }
        span?.setContent("output.value", answer)

        let cited = Self.citedNumbers(answer)
        for i in citations.indices { citations[i].cited = cited.contains(citations[i].n) }
        run.response.answer = answer
        run.response.citations = citations
        finish(&run)
    }

    private func finish(_ run: inout QueryRun) {
        run.timings.total = Self.ms(since: run.started)
        if let span = Tracing.current {
            span.set("lore.backend", run.response.backend)
            span.set("lore.finish_reason", run.response.finishReason)
            span.set("lore.refused", run.response.refused)
            span.set("lore.citations", run.response.citations.count)
        }
        run.response.timingsMs = run.timings
        run.response.guardrailFindings = run.findings
        let response = run.response
        let info = response.prompt
        Counter(label: "lore_queries_total", dimensions: Self.labels(info, response.backend, outcome: response.finishReason)).increment()
        for (stage, ms) in [
            ("condense", response.timingsMs.condense), ("embed", response.timingsMs.embed),
            ("retrieve", response.timingsMs.retrieve), ("generate", response.timingsMs.generate),
            ("guardrails", response.timingsMs.guardrails), ("total", response.timingsMs.total)
        ] {
            Timer(label: "lore_query_stage_seconds", dimensions: [("stage", stage)] + Self.labels(info, response.backend, outcome: nil))
                .recordNanoseconds(Int64(ms * 1e6))
        }
        logger.info(
            "answered",
            metadata: [
                "request_id": "\(response.requestID)", "prompt": "\(info.name)@\(info.version)", "prompt_hash": "\(info.hash)",
                "backend": "\(response.backend)", "mode": "\(response.mode)", "finish": "\(response.finishReason)",
                "sources": "\(response.citations.count)", "cited": "\(response.citations.filter(\.cited).count)",
                "tokens": "\(response.usage.totalTokens)", "ms": "\(String(format: "%.1f", response.timingsMs.total))",
                "trace_id": "\(run.request.origin.traceID ?? "-")"
            ])
        recorder?.record(
            AnsweredQuery(request: run.request, response: response, guardedQuestion: run.question, retrievedChunks: run.retrievedChunks))
        run.emit(.done(response))
    }

    /// A follow-up as a standalone question (see `CondenseStage`).
    func condense(_ question: String, history: [ChatMessage], generator: any Generator, key: String?, requestID: String) async -> String {
        await condenser.condense(question, history: history, generator: generator, key: key, requestID: requestID)
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

    /// `text` on one line, cut to `limit` characters with an ellipsis (log lines, reports).
    public static func snippet(_ text: String, limit: Int = 240) -> String {
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

/// A canary's events until its first text (then passed straight on), and the response.
private final class HeldEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var held: [QueryEvent] = []
    private var releasedTo: (@Sendable (QueryEvent) -> Void)?
    private var done: QueryResponse?

    init(release: (@Sendable (QueryEvent) -> Void)?) { releasedTo = release }

    var released: Bool { lock.withLock { releasedTo != nil } }
    var response: QueryResponse? { lock.withLock { done } }

    func pass(_ event: QueryEvent, to emit: @escaping @Sendable (QueryEvent) -> Void) {
        lock.lock()
        if case .done(let r) = event { done = r }
        if releasedTo == nil {
            switch event {
            case .delta, .done: break
            default:
                held.append(event)
                lock.unlock()
                return
            }
            releasedTo = emit
        }
        let earlier = held
        held = []
        lock.unlock()
        for e in earlier { emit(e) }
        emit(event)
    }
}
