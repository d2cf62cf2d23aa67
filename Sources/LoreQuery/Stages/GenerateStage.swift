import Foundation
import Logging
import LoreCore
import LorePrompts
import Metrics

/// Renders the prompt and generates the answer, streaming it through the answer stream. A
/// backend unreachable before its first token hands over to the fallback backend, when one
/// is configured; an LLM's answer then gets the citations it left out.
public struct GenerateStage: Sendable {
    public let generators: [String: any Generator]
    public let fallbackBackend: String?
    public let attributor: CitationAttributor?
    /// The embedding model of the question vector passed to generators (the extractive answerer).
    public let questionModel: String?
    /// Prices per backend name: the answer's `usage.cost`.
    public let prices: [String: TokenPrice]
    let logger: Logger

    public init(
        generators: [String: any Generator], fallbackBackend: String?, attributor: CitationAttributor?,
        questionModel: String?, prices: [String: TokenPrice] = [:], logger: Logger = Logger(label: "lore.query")
    ) {
        self.prices = prices
        self.generators = generators
        self.fallbackBackend = fallbackBackend
        self.attributor = attributor
        self.questionModel = questionModel
        self.logger = logger
    }

    /// Generates over `context`; fills in the response's model, usage, finish reason and
    /// refusal; returns the answer as the client received it (with attributed citations).
    func run(_ context: AssembledContext, questionVector: [Float]?, stream: inout AnswerStream, _ run: inout QueryRun) async throws
        -> String
    {
        var generator = generators[run.backendName]!
        var messages = try run.template.render(["question": run.question, "context": context.text])
        // Earlier turns go between the system message and the new question.
        if !run.history.isEmpty, let last = messages.popLast() {
            messages += run.history + [last]
        }
        var parameters = run.template.parameters
        let overrides = run.request.overrides
        if let t = overrides.temperature { parameters.temperature = t }
        if let m = overrides.maxTokens { parameters.maxTokens = m }
        if !overrides.stop.isEmpty { parameters.stop = overrides.stop }
        let generation = GenerationRequest(
            messages: messages, parameters: parameters, question: run.standalone,
            sources: context.sources, requestID: run.requestID, stream: run.request.stream,
            questionVector: questionVector, questionModel: questionModel)
        let t = DispatchTime.now()
        let span = Tracing.current
        span?.set("gen_ai.operation.name", "chat")
        span?.set("gen_ai.provider.name", generator is ExtractiveAnswerer ? "lore" : "openai")
        span?.set("lore.backend", run.backendName)
        span?.set("gen_ai.request.stream", run.request.stream)
        if let temperature = parameters.temperature { span?.set("gen_ai.request.temperature", temperature) }
        if let maxTokens = parameters.maxTokens { span?.set("gen_ai.request.max_tokens", maxTokens) }
        span?.set("lore.generation.sources", context.sources.count)
        var answer = ""
        var summary: GenerationSummary? = nil
        func consume(_ generator: any Generator) async throws {
            for try await event in generator.generate(generation) {
                switch event {
                case .delta(let text):
                    if run.timings.firstToken == nil {
                        let ttft = QueryService.ms(since: t)
                        run.timings.firstToken = ttft
                        span?.addEvent("gen_ai.content.first_token")
                        span?.set("lore.time_to_first_token_ms", ttft)
                    }
                    answer += text
                    stream.send(text, &run)
                case .finished(let s):
                    summary = s
                }
            }
        }
        do {
            do {
                try await consume(generator)
            } catch let e as GenerationError
                where e.isRetryable && answer.isEmpty && fallbackBackend != nil && fallbackBackend != run.backendName
            {
                // Nothing was said yet: the fallback answers instead, and the response says so.
                let fallback = fallbackBackend!
                Counter(label: "lore_generation_fallbacks_total", dimensions: [("backend", run.backendName), ("fallback", fallback)])
                    .increment()
                logger.warning(
                    "generation backend unavailable, answering with the fallback",
                    metadata: [
                        "request_id": "\(run.requestID)", "backend": "\(run.backendName)", "fallback": "\(fallback)", "error": "\(e)"
                    ])
                run.response.fallbackFrom = run.backendName
                run.response.backend = fallback
                run.backendName = fallback
                generator = generators[fallback]!
                try await consume(generator)
            }
        } catch let e as GenerationError {
            Counter(label: "lore_queries_total", dimensions: QueryService.labels(run.response.prompt, run.backendName, outcome: "error"))
                .increment()
            logger.error(
                "generation failed",
                metadata: [
                    "request_id": "\(run.requestID)", "backend": "\(run.backendName)", "prompt": "\(run.template.identity)", "error": "\(e)"
                ])
            throw QueryError(e.kind == .connect || e.kind == .unavailable ? .backendUnavailable : .backend, e.description)
        }
        run.timings.generate = QueryService.ms(since: t)
        if let span, let s = summary {
            // The GenAI semantic conventions' attributes, and OpenInference's (Phoenix's views).
            span.rename("chat \(s.model)")
            span.set("gen_ai.request.model", s.model)
            span.set("gen_ai.response.model", s.model)
            span.set("gen_ai.response.finish_reasons", .strings([s.finishReason.rawValue]))
            span.set("gen_ai.usage.input_tokens", s.usage.promptTokens)
            span.set("gen_ai.usage.output_tokens", s.usage.completionTokens)
            span.set("llm.model_name", s.model)
            span.set("llm.token_count.prompt", s.usage.promptTokens)
            span.set("llm.token_count.completion", s.usage.completionTokens)
            span.set("llm.token_count.total", s.usage.totalTokens)
            if let fallback = run.response.fallbackFrom { span.set("lore.fallback_from", fallback) }
            span.setContent("output.value", answer)
        }
        if let s = summary {
            run.response.model = s.model
            run.response.usage = s.usage
            if let price = prices[s.backend] ?? prices[run.backendName] {
                let cost = price.cost(of: s.usage)
                run.response.usage.cost = cost
                FloatingPointCounter(label: "lore_generation_cost_total", dimensions: [("backend", s.backend), ("model", s.model)])
                    .increment(by: cost)
            }
            run.response.finishReason = s.finishReason.rawValue
            run.response.problem = s.problem
            Counter(label: "lore_tokens_total", dimensions: [("backend", run.backendName), ("kind", "prompt")]).increment(
                by: s.usage.promptTokens)
            Counter(label: "lore_tokens_total", dimensions: [("backend", run.backendName), ("kind", "completion")]).increment(
                by: s.usage.completionTokens)
            if let ttft = run.timings.firstToken {
                Timer(label: "lore_time_to_first_token_seconds", dimensions: [("backend", run.backendName)]).recordNanoseconds(
                    Int64(ttft * 1e6))
            }
        } else {
            run.response.finishReason = FinishReason.incomplete.rawValue
            run.response.problem = "the backend ended without a finish event"
        }
        let filtered = stream.filter == nil ? answer : stream.drain(&run)
        answer = filtered
        run.response.refused = Refusal.isRefusal(answer)
        if !run.response.refused, let attributor, !(generator is ExtractiveAnswerer) {
            let (attributed, added) = attributor.attribute(answer, sources: context.sources)
            answer = attributed
            run.response.attributedCitations = added
        }
        return answer
    }
}
