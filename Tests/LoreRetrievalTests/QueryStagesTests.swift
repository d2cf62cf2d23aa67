import Foundation
import LoreCore
import LorePrompts
import LoreRetrieval
import LoreTestSupport
import Synchronization
import Testing

@testable import LoreQuery

/// Each stage of the query pipeline on its own, over a `QueryRun`, with the real corpus,
/// embedder and prompts: what it reads, what it writes into the run, and what it tells the
/// client. The whole pipeline is specified in `QueryServiceTests`.
@Suite("Query stages", .serialized)
struct QueryStagesTests {
    let fixture = CorpusFixture.shared

    /// The events a run sent to the client.
    final class Events: Sendable {
        let box = Mutex<[QueryEvent]>([])
        var all: [QueryEvent] { box.withLock { $0 } }
        var findings: [GuardFinding] {
            all.flatMap { (e: QueryEvent) -> [GuardFinding] in
                if case .guardrail(let f) = e { return f }
                return []
            }
        }
        var deltas: String {
            all.map { (e: QueryEvent) -> String in
                if case .delta(let d) = e { return d }
                return ""
            }.joined()
        }
    }

    func prompts() throws -> PromptRegistry {
        try PromptRegistry.load(directory: TestPaths.repositoryRoot + "/prompts", defaults: ["answer": "v1", "condense": "v1"])
    }

    func start(_ question: String, history: [ChatMessage] = [], k: Int? = nil) throws -> (QueryRun, Events) {
        let events = Events()
        var request = QueryRequest(question: question, history: history)
        if let k { request.retrieval.k = k }
        let run = try QueryRun(request, prompts: prompts(), backend: "extractive") { e in events.box.withLock { $0.append(e) } }
        return (run, events)
    }

    /// Guards that redact one word, block another and withhold the first passage.
    struct Rails: QueryGuards {
        func checkInput(_ question: String, history: [ChatMessage], context: GuardContext) async -> InputVerdict {
            if question.contains("forbidden") {
                return InputVerdict(
                    question: question, blockedAnswer: "Blocked.",
                    findings: [GuardFinding(stage: "input", rule: "deny", action: .block, detail: "word")])
            }
            return InputVerdict(question: question.replacingOccurrences(of: "hunter2", with: "[SECRET]"))
        }
        func checkContext(_ passages: [Passage], context: GuardContext) async -> ContextVerdict {
            ContextVerdict(
                passages: Array(passages.dropFirst()), withheld: 1,
                findings: [GuardFinding(stage: "context", rule: "test", action: .drop, detail: "first passage")])
        }
        func outputFilter(sources: [ContextSource], context: GuardContext) -> (any OutputStreamFilter)? { nil }
        func checkOutput(_ answer: String, sources: [ContextSource], sufficientContext: Bool, context: GuardContext) async -> OutputVerdict
        {
            OutputVerdict(answer: answer.uppercased(), findings: [GuardFinding(stage: "output", rule: "shout", action: .flag, detail: "")])
        }
    }

    @Test("a run rejects an empty question and an unknown prompt before any stage runs")
    func runValidates() throws {
        #expect(throws: QueryError.self) { try start("   ") }
        var r = QueryRequest(question: "What is WAL?")
        r.prompt = "no-such-prompt"
        #expect(throws: QueryError.self) { try QueryRun(r, prompts: prompts(), backend: "extractive") { _ in } }
    }

    @Test("the input guard rewrites the question it lets through, and returns the answer to give when it blocks")
    func inputGuard() async throws {
        let stage = InputGuardStage(guards: Rails(), embedder: nil)
        var (run, events) = try start("Is hunter2 a good WAL password?")
        #expect(try await stage.run(&run) == nil)
        #expect(run.question == "Is [SECRET] a good WAL password?" && run.standalone == run.question)
        var (blocked, blockedEvents) = try start("a forbidden question")
        #expect(try await stage.run(&blocked) == "Blocked.")
        #expect(blocked.findings.map(\.rule) == ["deny"] && blockedEvents.findings.map(\.rule) == ["deny"])
        #expect(events.all.isEmpty)
    }

    @Test("condense leaves a first question alone and makes a follow-up stand alone")
    func condense() async throws {
        let stage = CondenseStage(prompts: try prompts())
        let extractive = ExtractiveAnswerer(embedder: fixture.embedder)
        var (first, _) = try start("What is SQLite's write-ahead log?")
        await stage.run(&first, generator: extractive)
        #expect(first.standalone == "What is SQLite's write-ahead log?" && first.response.standaloneQuestion == first.standalone)
        let history = [
            ChatMessage(.user, "What is SQLite's write-ahead log?"), ChatMessage(.assistant, "A file changes are appended to [1].")
        ]
        var (follow, _) = try start("How do I turn it on?", history: history)
        await stage.run(&follow, generator: extractive)
        #expect(follow.standalone.contains("write-ahead log") && follow.response.standaloneQuestion == follow.standalone)
    }

    @Test("retrieve searches for the standalone question with the request's options and records its timings")
    func retrieve() async throws {
        let (_, _, retriever) = try fixture.open()
        let stage = RetrieveStage(retriever: retriever)
        var (run, _) = try start("How do I turn on WAL mode?", k: 2)
        let result = try await stage.run(&run)
        #expect(!result.passages.isEmpty && result.passages.count <= 2)
        #expect(result.passages.first.map { CorpusFixture.file($0.source) } == "sqlite-wal-mode.txt")
        #expect(run.timings.retrieve > 0 && run.timings.retrieve >= run.timings.embed)
    }

    @Test("the context guard passes on what it keeps, counts what it withheld and tells the client")
    func contextGuard() async throws {
        let (_, _, retriever) = try fixture.open()
        var (run, events) = try start("How do I turn on WAL mode?")
        let passages = try await RetrieveStage(retriever: retriever).run(&run).passages
        let verdict = await ContextGuardStage(guards: Rails()).run(passages, &run)
        #expect(verdict.passages.map(\.chunkIDs) == passages.dropFirst().map(\.chunkIDs))
        #expect(run.response.withheldSources == 1 && events.findings.map(\.rule) == ["test"])
    }

    @Test("the prompt stage numbers the sources in rank order, and the client gets the same citations")
    func prompt() async throws {
        let (_, _, retriever) = try fixture.open()
        var (run, events) = try start("How do I turn on WAL mode?")
        let passages = try await RetrieveStage(retriever: retriever).run(&run).passages
        let (context, citations) = PromptStage(assembler: ContextAssembler(counter: fixture.embedder.tokenizer)).run(passages, &run)
        #expect(citations.map(\.n) == Array(1...citations.count) && context.sources.map(\.number) == citations.map(\.n))
        #expect(citations.map(\.chunkID) == Array(passages.map { $0.chunkIDs[0] }.prefix(citations.count)))
        #expect(context.text.contains("[1]"))
        guard case .retrieval(let sent)? = events.all.last else { Issue.record("no retrieval event: \(events.all)"); return }
        #expect(sent == citations)
    }

    /// A backend that is down: the fault a real server cannot be made to produce on demand.
    struct Unreachable: Generator {
        let name = "down"
        func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
            AsyncThrowingStream { $0.finish(throwing: GenerationError(.connect, backend: "down", "connection refused")) }
        }
    }

    @Test("generation hands over to the fallback when the backend is down before its first token, and says so")
    func generateFallback() async throws {
        let (_, _, retriever) = try fixture.open()
        let generators: [String: any Generator] = ["down": Unreachable(), "extractive": ExtractiveAnswerer(embedder: fixture.embedder)]
        var (run, events) = try start("How do I turn on WAL mode?")
        run.backendName = "down"
        let retrieved = try await RetrieveStage(retriever: retriever).run(&run)
        let (context, _) = PromptStage(assembler: ContextAssembler(counter: fixture.embedder.tokenizer)).run(retrieved.passages, &run)
        var stream = AnswerStream(guards: PassThroughGuards(), sources: context.sources, context: run.guardContext)
        let answer = try await GenerateStage(
            generators: generators, fallbackBackend: "extractive", attributor: CitationAttributor(),
            questionModel: nil
        )
        .run(context, questionVector: retrieved.queryVector, stream: &stream, &run)
        #expect(run.response.fallbackFrom == "down" && run.response.backend == "extractive" && run.backendName == "extractive")
        #expect(!answer.isEmpty && events.deltas == answer && run.response.finishReason == "stop")
        // Without a fallback the same fault is the query's error.
        var (bare, _) = try start("How do I turn on WAL mode?")
        bare.backendName = "down"
        var bareStream = AnswerStream(guards: PassThroughGuards(), sources: context.sources, context: bare.guardContext)
        await #expect(throws: QueryError.self) {
            _ = try await GenerateStage(generators: generators, fallbackBackend: nil, attributor: nil, questionModel: nil)
                .run(context, questionVector: nil, stream: &bareStream, &bare)
        }
    }

    @Test("the output guard rewrites the answer, and a note follows when sources were withheld")
    func outputGuard() async throws {
        var (run, events) = try start("How do I turn on WAL mode?")
        let answer = await OutputGuardStage(guards: Rails()).run(
            "use pragma journal_mode [1]", sources: [], sufficient: true, withheld: 2, &run)
        #expect(answer == "USE PRAGMA JOURNAL_MODE [1]\n\n" + QueryService.withheldNote(2))
        #expect(events.deltas == "\n\n" + QueryService.withheldNote(2) && run.findings.map(\.rule) == ["shout"])
    }
}
