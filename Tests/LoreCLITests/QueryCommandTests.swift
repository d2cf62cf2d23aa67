import Foundation
import LoreTestSupport
import Testing

/// `corpus/` ingested once for the `lore query` tests.
final class QueryCorpus: @unchecked Sendable {
    static let shared = QueryCorpus()
    let directory = TemporaryDirectory("lore-query")
    let database: String

    private init() {
        database = directory.path + "/corpus.db"
        let r = try! runLore(["ingest", TestPaths.corpus, "--db", database, "--json"])
        precondition(r.status == 0, "ingest failed: \(r.stderr)")
    }
}

/// `lore query`: a cited answer from the extractive default, the JSON contract, streaming,
/// filters, prompt versions, the relevance refusal, and clear errors for bad input.
@Suite("lore query")
struct QueryCommandTests {
    let db = QueryCorpus.shared.database

    func query(_ args: [String], env: [String: String] = [:]) throws -> ProcessResult {
        let environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        return try runLore(["query"] + args + ["--db", db], environment: environment)
    }

    func json(_ args: [String], env: [String: String] = [:]) throws -> [String: Any] {
        let r = try query(args + ["--json"], env: env)
        #expect(r.status == 0, "lore query \(args): \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "not JSON: \(r.stdout)")
    }

    static func cited(_ answer: String) -> Set<Int> {
        var out = Set<Int>()
        let scanner = answer.split(separator: "[").dropFirst()
        for part in scanner { if let close = part.firstIndex(of: "]"), let n = Int(part[..<close]) { out.insert(n) } }
        return out
    }

    @Test("--json carries the answer, numbered citations, the prompt, usage and timings; every [n] is a given source")
    func jsonContract() throws {
        let o = try json(["How do I turn on WAL mode, and what does it let readers do?"])
        let answer = try #require(o["answer"] as? String)
        let citations = try #require(o["citations"] as? [[String: Any]])
        #expect(!answer.isEmpty && !answer.hasPrefix("I don't know"), "\(answer)")
        #expect(!citations.isEmpty)
        for c in citations {
            for key in ["n", "source", "title", "chunk_id", "score", "snippet", "cited"] { #expect(c[key] != nil, "citation lacks \(key)") }
        }
        let numbers = Set(citations.compactMap { $0["n"] as? Int })
        #expect(numbers == Set(1...citations.count))
        let used = Self.cited(answer)
        #expect(!used.isEmpty && used.isSubset(of: numbers), "\(answer)")
        #expect(citations.filter { $0["cited"] as? Bool == true }.compactMap { $0["n"] as? Int }.sorted() == used.sorted())
        let top = try #require(citations.first { $0["cited"] as? Bool == true }?["source"] as? String)
        #expect(top.hasSuffix("sqlite-wal-mode.txt"), "\(top)")
        let prompt = try #require(o["prompt"] as? [String: Any])
        #expect(prompt["name"] as? String == "answer" && prompt["version"] as? String == "v1")
        #expect((prompt["hash"] as? String)?.count == 12)
        let usage = try #require(o["usage"] as? [String: Any])
        #expect((usage["completion_tokens"] as? Int ?? 0) > 0)
        let timings = try #require(o["timings_ms"] as? [String: Any])
        for key in ["embed", "retrieve", "generate", "total"] { #expect((timings[key] as? Double ?? -1) >= 0, "timings_ms.\(key)") }
        #expect((timings["total"] as? Double ?? 0) >= (timings["retrieve"] as? Double ?? 1))
        #expect(o["finish_reason"] as? String == "stop" && o["refused"] as? Bool == false)
        #expect(o["backend"] as? String == "extractive")
    }

    @Test("the text output streams the same answer, then lists the sources with their paths")
    func textAndStream() throws {
        let q = "What should a recipe with red lentils be rinsed with?"
        let plain = try query([q])
        let streamed = try query([q, "--stream"])
        #expect(plain.status == 0 && streamed.status == 0, "\(plain.stderr) \(streamed.stderr)")
        #expect(plain.stdout == streamed.stdout)
        #expect(plain.stdout.contains("\nSources:\n[1]"))
        #expect(plain.stdout.contains("recipes.json#4"), "\(plain.stdout)")
    }

    @Test("a question the documents do not cover gets \"I don't know\" and the nearest sources")
    func refusal() throws {
        let o = try json(["Which football club won the 1987 league championship?"])
        #expect((o["answer"] as? String ?? "").hasPrefix("I don't know"), "\(o["answer"] ?? "")")
        #expect(o["refused"] as? Bool == true && o["insufficient_context"] as? Bool == true)
        #expect(!(o["citations"] as? [[String: Any]] ?? []).isEmpty)
        // The threshold is a parameter: at -1 the same question is answered from the nearest text.
        let forced = try json(["Which football club won the 1987 league championship?", "--min-relevance=-1"])
        #expect(forced["insufficient_context"] as? Bool == false)
    }

    @Test("filters restrict the sources: format, source glob and metadata")
    func filters() throws {
        let q = "What does this cover?"
        for (filter, check) in [
            ("format=csv", { (s: String) in s.contains("release-notes.csv") }),
            ("source=*/guides/*", { (s: String) in s.contains("/guides/") }),
            ("category=search", { (s: String) in s.contains("faq.jsonl") || s.contains("release-notes.csv") })
        ] {
            let o = try json([q, "--filter", filter, "--min-relevance=-1"])
            let sources = (o["citations"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
            #expect(!sources.isEmpty && sources.allSatisfy(check), "\(filter): \(sources)")
        }
    }

    @Test("answer@v2 gives shorter answers than answer@v1 on the same questions, and says so in the JSON")
    func promptVersions() throws {
        var shorter = 0
        for q in [
            "How do I turn on WAL mode, and what does it let readers do?", "When does Lore switch from the flat index to HNSW?",
            "How should red lentils be prepared for the dal?"
        ] {
            let v1 = try json([q, "--prompt", "answer@v1"]), v2 = try json([q, "--prompt", "answer@v2"])
            #expect((v1["prompt"] as? [String: Any])?["version"] as? String == "v1")
            #expect((v2["prompt"] as? [String: Any])?["version"] as? String == "v2")
            #expect((v1["prompt"] as? [String: Any])?["hash"] as? String != (v2["prompt"] as? [String: Any])?["hash"] as? String)
            let a1 = v1["answer"] as? String ?? "", a2 = v2["answer"] as? String ?? ""
            #expect(a2.count <= a1.count, "v2 longer than v1 for \(q)")
            if a2.count < a1.count { shorter += 1 }
        }
        #expect(shorter >= 1)
    }

    @Test("FTS5 syntax in a question is plain text", arguments: ["\"NEAR(wal", "wal* AND OR NOT (", "text:checkpoint ^x"])
    func hostile(question: String) throws {
        for mode in ["lexical", "hybrid"] {
            let r = try query([question, "--mode", mode])
            #expect(r.status == 0, "\(mode): \(r.stderr)")
        }
    }

    @Test(
        "bad parameters exit non-zero and name the parameter",
        arguments: [
            (["q", "--mode", "fuzzy"], "--mode"), (["q", "--filter", "nokey"], "--filter"), (["q", "--k", "0"], "k must"),
            (["q", "--lambda", "3"], "lambda"), (["q", "--prompt", "answer@v9"], "v9"), (["q", "--backend", "nope"], "nope"),
            (["q", "--filter", "format=rtf"], "rtf"), (["   "], "question")
        ])
    func badInput(args: [String], needle: String) throws {
        let r = try query(args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(needle), "stderr: \(r.stderr)")
    }

    @Test("a broken prompt template stops lore before it answers, naming the file and line")
    func brokenPrompt() throws {
        let dir = TemporaryDirectory()
        let repo = TestPaths.repositoryRoot + "/prompts"
        for entry in try FileManager.default.subpathsOfDirectory(atPath: repo) where entry.hasSuffix(".md") && entry.contains("/") {
            _ = dir.copy(repo + "/" + entry, as: "prompts/" + entry)
        }
        let path = dir.path + "/prompts/answer/v1.md"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "{{question}}", with: "{{question}} {{unknown_thing}}")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try query(["How do I turn on WAL mode?"], env: ["LORE_PROMPTS_DIR": dir.path + "/prompts"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("answer/v1.md:") && r.stderr.contains("unknown_thing"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    // MARK: - Generation faults, end to end (the client's own fault tests are in LoreGenerateTests)

    /// `Tests/Fixtures/http/fault_llm.py`, once per test process.
    static let faultServer: Result<ServerProcess, any Error> = Result {
        try ServerProcess("/usr/bin/env", ["python3", TestPaths.repositoryRoot + "/Tests/Fixtures/http/fault_llm.py"], timeout: 30)
    }

    func llmEnv(_ url: String) -> [String: String] {
        ["LORE_GENERATION_BACKEND": "llm", "LORE_LLM_BASE_URL": url, "LORE_LLM_MODEL": "test"]
    }

    @Test("a backend that refuses connections is a clear error naming it, with a non-zero exit")
    func refused() throws {
        let url = "http://127.0.0.1:\(ServerProcess.refusingPort())"
        let r = try query(["How do I turn on WAL mode?"], env: llmEnv(url))
        #expect(r.status != 0)
        #expect(r.stderr.contains("llm") && r.stderr.lowercased().contains("connect"), "\(r.stderr)")
    }

    @Test("a stream cut mid-answer prints the partial answer marked incomplete; --json says incomplete")
    func diesMidStream() throws {
        let port = try Self.faultServer.get().ready
        let url = "http://127.0.0.1:\(port)/cli-\(UUID().uuidString.prefix(6))/die-after"
        let text = try query(["How do I turn on WAL mode?", "--stream"], env: llmEnv(url))
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("[incomplete answer:"), "\(text.stdout)")
        let o = try json(["How do I turn on WAL mode?", "--stream"], env: llmEnv(url))
        #expect(o["finish_reason"] as? String == "incomplete" && !(o["answer"] as? String ?? "").isEmpty)
    }

    @Test("a backend answering 500 or malformed JSON is a clear error, not a crash", arguments: ["status-500", "malformed"])
    func serverErrors(mode: String) throws {
        let port = try Self.faultServer.get().ready
        let url = "http://127.0.0.1:\(port)/cli-\(UUID().uuidString.prefix(6))/\(mode)"
        let r = try query(["How do I turn on WAL mode?"], env: llmEnv(url))
        #expect(r.status != 0)
        #expect(
            r.stderr.contains("llm")
                && (r.stderr.contains("500") || r.stderr.lowercased().contains("malformed") || r.stderr.lowercased().contains("json")),
            "\(r.stderr)")
    }
}
