import Foundation
import LoreCore
import LoreGenerate
import LorePrompts
import LoreQuery
import LoreRetrieval
import LoreTestSupport
import Testing

/// The whole pipeline in process over `corpus/`: the extractive default, the refusal below
/// the relevance threshold, the token budget, follow-ups, the guardrail hooks, and a real
/// LLM (SmolLM2 on llama-cpp-python) streaming and not.
@Suite("Query service", .serialized)
struct QueryServiceTests {
    let fixture = CorpusFixture.shared

    func service(
        generators extra: [String: any Generator] = [:], backend: String = "extractive", prompts: PromptRegistry? = nil,
        guards: any QueryGuards = PassThroughGuards()
    ) throws -> QueryService {
        let (_, _, retriever) = try fixture.open()
        let registry =
            try prompts
            ?? PromptRegistry.load(directory: TestPaths.repositoryRoot + "/prompts", defaults: ["answer": "v1", "condense": "v1"])
        var generators: [String: any Generator] = ["extractive": ExtractiveAnswerer(embedder: fixture.embedder)]
        for (k, v) in extra { generators[k] = v }
        return try QueryService(
            retriever: retriever, prompts: registry, assembler: ContextAssembler(counter: fixture.embedder.tokenizer),
            generators: generators, defaultBackend: backend, guards: guards)
    }

    /// Runs a request, returning the events in order.
    func events(_ s: QueryService, _ r: QueryRequest) async throws -> [QueryEvent] {
        var out: [QueryEvent] = []
        for try await e in s.run(r) { out.append(e) }
        return out
    }

    @Test("the extractive default answers with citations to the sources it was given; events come in order")
    func extractive() async throws {
        let s = try service()
        let evs = try await events(s, QueryRequest(question: "What does write-ahead logging let readers do while a writer commits?"))
        guard case .retrieval(let given)? = evs.first, case .done(let r)? = evs.last else { Issue.record("bad order: \(evs)"); return }
        #expect(evs.dropFirst().dropLast().allSatisfy { if case .delta = $0 { true } else { false } })
        #expect(!given.isEmpty && r.finishReason == "stop" && !r.refused)
        let cited = QueryService.citedNumbers(r.answer)
        #expect(!cited.isEmpty && cited.isSubset(of: Set(given.map(\.n))), "\(r.answer)")
        #expect(r.citations.first { $0.cited }.map { CorpusFixture.file($0.source) } == "sqlite-wal-mode.txt")
        #expect(r.prompt.name == "answer" && r.prompt.version == "v1" && r.prompt.hash.count == 12)
        #expect(r.timingsMs.total >= r.timingsMs.retrieve && r.timingsMs.retrieve >= r.timingsMs.embed)
    }

    @Test("below the relevance threshold the answer is a refusal naming the nearest sources, whatever the backend")
    func refusal() async throws {
        let s = try service()
        let r = try await s.answer(QueryRequest(question: "Which football club won the 1987 league championship?"))
        #expect(r.refused && r.insufficientContext && r.finishReason == "refused")
        #expect(r.answer.hasPrefix(Refusal.opening) && r.answer.contains("[1]"), "\(r.answer)")
        #expect(!r.citations.isEmpty && r.model.isEmpty)  // no generator ran
    }

    @Test("a question naming something the documents never mention is refused, and the refusal says what")
    func unknownNameRefusal() async throws {
        let s = try service()
        let r = try await s.answer(
            QueryRequest(question: "How do readers and writers coexist in write-ahead logging mode when replicating with Litestream?"))
        #expect(r.refused && r.insufficientContext && r.model.isEmpty)
        #expect(r.answer.hasPrefix(Refusal.opening + ": the documents never mention \"Litestream\"."), "\(r.answer)")
        #expect(r.answer.contains("[1]"), "the nearest sources are named: \(r.answer)")
    }

    @Test("the context stays within the template's token budget, dropping the lowest-ranked sources first")
    func budget() async throws {
        let dir = TemporaryDirectory()
        for name in ["answer/v1.md", "answer/v2.md", "condense/v1.md"] {
            let text = try String(contentsOfFile: TestPaths.repositoryRoot + "/prompts/" + name, encoding: .utf8)
            _ = dir.write(
                "prompts/" + name,
                name == "answer/v1.md" ? text.replacingOccurrences(of: "context_tokens: 1200", with: "context_tokens: 260") : text)
        }
        #expect(try String(contentsOfFile: dir.path + "/prompts/answer/v1.md", encoding: .utf8).contains("context_tokens: 260"))
        let small = try PromptRegistry.load(directory: dir.path + "/prompts", defaults: ["answer": "v1", "condense": "v1"])
        let question = "How does Lore combine BM25 and vector search results?"
        var options = RetrievalOptions()
        options.k = 8
        let wide = try await service().answer(QueryRequest(question: question, retrieval: options))
        let narrow = try await service(prompts: small).answer(QueryRequest(question: question, retrieval: options))
        #expect(narrow.citations.count < wide.citations.count, "\(narrow.citations.count) vs \(wide.citations.count)")
        #expect(!narrow.citations.isEmpty)
        // The kept ones are the best-ranked: a prefix of the unconstrained list.
        #expect(narrow.citations.map(\.chunkID) == Array(wide.citations.map(\.chunkID).prefix(narrow.citations.count)))
    }

    @Test("a follow-up is condensed with the previous question (heuristic without an LLM) and retrieves its subject")
    func followUp() async throws {
        let s = try service()
        let history = [
            ChatMessage(.user, "What is SQLite's write-ahead log?"), ChatMessage(.assistant, "A file that changes are appended to [1].")
        ]
        let r = try await s.answer(QueryRequest(question: "How do I turn it on?", history: history))
        #expect(r.standaloneQuestion.contains("write-ahead log"), "\(r.standaloneQuestion)")
        #expect(r.citations.first.map { CorpusFixture.file($0.source) } == "sqlite-wal-mode.txt")
        // A question that stands alone is left as it is.
        let alone = try await s.answer(QueryRequest(question: "How long does the red lentil dal take?", history: history))
        #expect(alone.standaloneQuestion == "How long does the red lentil dal take?")
    }

    /// Guards that block one word, withhold one source and rewrite the answer: the hook points' contract.
    struct RecordingGuards: QueryGuards {
        func checkInput(_ question: String, history: [ChatMessage], context: GuardContext) async -> InputVerdict {
            question.contains("forbidden")
                ? InputVerdict(
                    question: question, blockedAnswer: "Blocked.",
                    findings: [GuardFinding(stage: "input", rule: "deny", action: .block, detail: "word")])
                : InputVerdict(question: question)
        }
        func checkContext(_ passages: [Passage], context: GuardContext) async -> ContextVerdict {
            ContextVerdict(
                passages: Array(passages.dropFirst()), withheld: 1,
                findings: [GuardFinding(stage: "context", rule: "test", action: .drop, detail: "first passage")])
        }
        func outputFilter(sources: [ContextSource], context: GuardContext) -> (any OutputStreamFilter)? { nil }
        func checkOutput(_ answer: String, sources: [ContextSource], sufficientContext: Bool, context: GuardContext) async -> OutputVerdict
        {
            OutputVerdict(answer: answer + " (checked)", findings: [])
        }
    }

    @Test("the three guardrail hooks can block the question, withhold a source and rewrite the answer")
    func hooks() async throws {
        let s = try service(guards: RecordingGuards())
        let blocked = try await s.answer(QueryRequest(question: "a forbidden question"))
        #expect(blocked.answer == "Blocked." && blocked.finishReason == "blocked" && blocked.guardrailFindings.count == 1)
        let plain = try await service().answer(QueryRequest(question: "What does write-ahead logging let readers do?"))
        let guarded = try await s.answer(QueryRequest(question: "What does write-ahead logging let readers do?"))
        #expect(guarded.withheldSources == 1 && guarded.answer.hasSuffix(" (checked)\n\n" + QueryService.withheldNote(1)))
        #expect(!guarded.citations.contains { $0.chunkID == plain.citations.first?.chunkID })
        #expect(guarded.guardrailFindings.map(\.stage) == ["context"])
    }

    @Test("unknown backends and prompts are errors that name them")
    func badRequests() async throws {
        let s = try service()
        do { _ = try await s.answer(QueryRequest(question: "x", backend: "nope")); Issue.record("accepted") } catch {
            #expect("\(error)".contains("nope"))
        }
        do { _ = try await s.answer(QueryRequest(question: "x", prompt: "answer@v9")); Issue.record("accepted") } catch {
            #expect("\(error)".contains("v9"))
        }
        do { _ = try await s.answer(QueryRequest(question: "x", prompt: "condense@v1")); Issue.record("accepted") } catch {
            #expect("\(error)".contains("answer"))
        }
    }

    @Test("Lore attributes a citation to an uncited sentence that comes from a source, and leaves the rest alone")
    func attribution() {
        let sources = [
            ContextSource(
                number: 1, chunkID: 1, source: "a.txt", title: "Bread", headingPath: "",
                text: "Knead the dough for ten minutes, then let it rise.", score: 1),
            ContextSource(
                number: 2, chunkID: 2, source: "b.txt", title: "WAL", headingPath: "", text: "Readers do not block the writer in WAL mode.",
                score: 1)
        ]
        let answer =
            "In WAL mode readers never block the writer. Something unrelated about football clubs.\n```\nKnead dough readers writer\n```"
        let (out, added) = CitationAttributor().attribute(answer, sources: sources)
        #expect(added == 1)
        #expect(out.hasPrefix("In WAL mode readers never block the writer [2]. Something unrelated about football clubs."), "\(out)")
        #expect(out.hasSuffix("```\nKnead dough readers writer\n```"))
        let already = "Knead the dough [1]."
        #expect(CitationAttributor().attribute(already, sources: sources).1 == 0)
    }

    // MARK: - A real LLM

    func llm() throws -> OpenAICompatibleGenerator {
        try OpenAICompatibleGenerator(OpenAIGeneratorConfiguration(name: "llm", baseURL: try LLMServer.url(), model: LLMServer.model))
    }

    /// Whether a 135M-parameter model cites its source is the model's behaviour, and its greedy
    /// answer changes with the llama.cpp build (the same request gave a cited quote on one CI
    /// machine and "Lore uses it." on another). What Lore owns is checked on whatever the real
    /// model says: every source number the client saw cited in the deltas is marked cited, and
    /// any other source marked cited is one Lore attributed a sentence to.
    func expectCitationsMatchDeltas(_ r: QueryResponse, _ deltas: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let given = Set(r.citations.map(\.n))
        let marked = Set(r.citations.filter(\.cited).map(\.n))
        let streamed = QueryService.citedNumbers(deltas.joined()).intersection(given)
        #expect(streamed.isSubset(of: marked), "\(deltas)", sourceLocation: sourceLocation)
        #expect(marked.count <= streamed.count + r.attributedCitations, "\(r.answer)", sourceLocation: sourceLocation)
    }

    @Test("against a real LLM server: a streamed answer arrives in several deltas, and its citations are the ones it writes")
    func llmStreaming() async throws {
        let s = try service(generators: ["llm": try llm()], backend: "llm")
        let evs = try await events(s, QueryRequest(question: "How do I turn on WAL mode?", prompt: "answer@v2", stream: true))
        let deltas = evs.compactMap { if case .delta(let d) = $0 { d } else { nil } }
        guard case .done(let r)? = evs.last else { Issue.record("no done event"); return }
        #expect(deltas.count >= 2)
        #expect(!deltas.joined().isEmpty && r.backend == "llm" && r.model == LLMServer.model)
        #expect(["stop", "length"].contains(r.finishReason))
        #expect(!r.citations.isEmpty)
        expectCitationsMatchDeltas(r, deltas)
        #expect(r.usage.completionTokens > 0 && (r.timingsMs.firstToken ?? 0) > 0)
    }

    @Test("against a real LLM server: a non-streamed answer is one delta with the server's usage, and its citations are the ones it writes")
    func llmWhole() async throws {
        let s = try service(generators: ["llm": try llm()], backend: "llm")
        let evs = try await events(s, QueryRequest(question: "How do I turn on WAL mode?", prompt: "answer@v2", stream: false))
        let deltas = evs.compactMap { if case .delta(let d) = $0 { d } else { nil } }
        guard case .done(let r)? = evs.last else { Issue.record("no done event"); return }
        #expect(deltas.count == 1)
        #expect(!r.usage.estimated && r.usage.promptTokens > 100)
        #expect(!r.citations.isEmpty)
        expectCitationsMatchDeltas(r, deltas)
    }

    @Test("against a real LLM server: a follow-up is condensed by the condense prompt into a question of its own")
    func llmCondense() async throws {
        let s = try service(generators: ["llm": try llm()], backend: "llm")
        let history = [
            ChatMessage(.user, "What is SQLite's write-ahead log?"), ChatMessage(.assistant, "A file that changes are appended to [1].")
        ]
        let r = try await s.answer(QueryRequest(question: "How do I turn it on?", history: history, prompt: "answer@v2", stream: false))
        #expect(!r.standaloneQuestion.isEmpty && r.standaloneQuestion != "How do I turn it on?")
        #expect(r.timingsMs.condense > 0)
    }
}
