import Foundation
import LoreEval
import LoreTestSupport
import Testing

/// `lore eval` end to end: the real binary over `corpus/` with the extractive default.
@Suite("lore eval", .serialized)
struct EvalCommandTests {
    static let directory = TemporaryDirectory("lore-eval")
    static let database: String = {
        let db = directory.path + "/corpus.db"
        let r = try! runLore(["ingest", TestPaths.corpus, "--db", db, "--json"])
        precondition(r.status == 0, r.stderr)
        return db
    }()
    let set = TestPaths.repositoryRoot + "/eval/sets/corpus-qa.jsonl"

    func eval(_ extra: [String]) throws -> ProcessResult {
        try runLore(["eval", "--set", set, "--db", Self.database] + extra)
    }

    @Test("the report has metrics by name and one entry per question; the default configuration finds the gold documents")
    func report() throws {
        let path = Self.directory.path + "/report.json"
        let r = try eval(["--report", path, "--markdown", Self.directory.path + "/report.md"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let m = o["metrics"] as! [String: Double]
        for key in [
            "hit@5", "recall@5", "mrr@10", "ndcg@10", "answer_contains", "citation_precision", "citation_recall", "refusal_accuracy",
            "latency_ms_p50", "embed_ms_p50", "retrieve_ms_p50", "generate_ms_p95", "tokens", "guardrail_findings"
        ] {
            #expect(m[key] != nil, "\(key)")
        }
        #expect((o["questions"] as! [[String: Any]]).count == 11)
        #expect(m["recall@5"]! >= 0.8 && m["mrr@10"]! >= 0.7, "\(m)")
        #expect(m["refusal_rate_unanswerable"]! >= 2.0 / 3, "\(m)")
        #expect(try String(contentsOfFile: Self.directory.path + "/report.md", encoding: .utf8).contains("| recall@5 |"))
    }

    @Test("a degraded configuration fails against the baseline, exits 1 and says what failed by how much")
    func regression() throws {
        let baseline = Self.directory.path + "/baseline.json"
        let good = try eval(["--report", baseline])
        #expect(good.status == 0)
        #expect(try eval(["--baseline", baseline]).status == 0, "the same configuration passes its own baseline")
        let bad = try eval(["--baseline", baseline, "--mode", "lexical", "--k", "1"])
        #expect(bad.status == 1, "\(bad.stdout)")
        #expect(bad.stdout.contains("FAILED") && bad.stdout.contains("regression") && bad.stdout.contains("short by"))
    }

    @Test("an explicit gate fails the run; a malformed gate or set is a clear error")
    func gates() throws {
        let failing = try eval(["--gate", "recall@5>=1.01"])
        #expect(failing.status == 1 && failing.stdout.contains("gate recall@5>=1.01"))
        let malformed = try eval(["--gate", "recall@5=1"])
        #expect(malformed.status != 0 && malformed.stderr.contains("recall@5=1"))
        let dir = TemporaryDirectory("lore-eval-bad")
        let bad = dir.write("bad.jsonl", "{\"id\": \"x\", \"question\": \"ok?\"}\n{\"id\": \"y\", \"answers\": [1]}\n")
        let r = try runLore(["eval", "--set", bad, "--db", Self.database])
        #expect(r.status != 0 && r.stderr.contains("bad.jsonl:2"), "\(r.stderr)")
    }

    @Test("--compare runs each configuration on the same set and prints them side by side; the report holds every run")
    func compare() throws {
        let path = Self.directory.path + "/compare.json"
        let r = try eval(["--compare", "mode=dense,lexical,hybrid", "--report", path, "--html", Self.directory.path + "/compare.html"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let header = r.stdout.split(separator: "\n").first { $0.hasPrefix("metric") }.map(String.init) ?? ""
        #expect(header.contains("mode=dense") && header.contains("mode=lexical") && header.contains("mode=hybrid"), "\(r.stdout)")
        let row = r.stdout.split(separator: "\n").first { $0.hasPrefix("recall@5") }.map { $0.split(separator: " ").dropFirst() } ?? []
        #expect(row.count == 3 && row.allSatisfy { Double($0) != nil }, "one number per run: \(r.stdout)")
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let runs = o["runs"] as! [[String: Any]]
        #expect(runs.map { $0["label"] as? String } == ["mode=dense", "mode=lexical", "mode=hybrid"])
        #expect(runs.map { $0["mode"] as? String } == ["dense", "lexical", "hybrid"])
        #expect(runs.allSatisfy { ($0["questions"] as? [Any])?.count == 11 })
        let html = try String(contentsOfFile: Self.directory.path + "/compare.html", encoding: .utf8)
        #expect(html.contains("mode=lexical") && html.contains("<svg"), "the HTML report charts every run")
    }

    @Test("--compare prompt=... is the offline A/B test of prompt versions; a bad --compare names what is wrong")
    func comparePrompts() throws {
        let r = try eval(["--compare", "prompt=answer@v1,answer@v2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect((o["runs"] as! [[String: Any]]).map { $0["prompt"] as? String } == ["answer@v1", "answer@v2"])
        let unknownKey = try eval(["--compare", "temperature=0,1"])
        #expect(unknownKey.status != 0 && unknownKey.stderr.contains("unknown key temperature"), "\(unknownKey.stderr)")
        let badMode = try eval(["--compare", "mode=dense,sparse"])
        #expect(badMode.status != 0 && badMode.stderr.contains("sparse"), "\(badMode.stderr)")
        let badPrompt = try eval(["--compare", "prompt=answer@v9"])
        #expect(badPrompt.status != 0 && badPrompt.stderr.contains("answer@v9"), "\(badPrompt.stderr)")
    }

    @Test("a report file reads back as the report that was written (charts and baselines reuse it)")
    func roundTrip() throws {
        let path = Self.directory.path + "/roundtrip.json"
        #expect(try eval(["--report", path, "--label", "nightly"]).status == 0)
        let report = try EvalReport.read(path)
        #expect(report.label == "nightly" && report.k == 5 && report.questions.count == 11)
        #expect(report.metrics["latency_ms_p50"] != nil && report.metrics["mrr@10"] != nil, "metric names are kept verbatim")
        #expect(report.questions.contains { $0.firstGoldRank != nil && !$0.retrieved.isEmpty })
        #expect(throws: EvalError.self) { try EvalReport.read(Self.directory.path + "/missing.json") }
    }

    @Test("lore eval drift: questions about the corpus are stable, questions from elsewhere have drifted (and --fail-on fails)")
    func drift() throws {
        let dir = TemporaryDirectory("lore-eval-drift")
        // The answerable questions of the golden set (its unanswerable ones are off-topic on purpose).
        let lines = try String(contentsOfFile: set, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"answerable\": true") }
        #expect(lines.count >= 8)
        let answerable = dir.write("answerable.jsonl", lines.joined(separator: "\n") + "\n")
        let onTopic = try runLore(["eval", "drift", "--db", Self.database, "--queries", answerable, "--json"])
        #expect(onTopic.status == 0, "\(onTopic.stderr)")
        let on = try JSONSerialization.jsonObject(with: Data(onTopic.stdout.utf8)) as! [String: Any]
        #expect(on["verdict"] as? String == "stable", "\(on)")
        let elsewhere = dir.write(
            "elsewhere.txt",
            """
            Who won the football world cup in 1986?
            How many moons does Jupiter have?
            What is the capital city of Mongolia?
            Which painter cut off part of his own ear?
            How do penguins keep their eggs warm?
            What is the offside rule in ice hockey?
            Who composed the Brandenburg concertos?
            How tall is Mount Kilimanjaro?
            """)
        let off = try runLore(["eval", "drift", "--db", Self.database, "--queries", elsewhere, "--fail-on", "drifted"])
        #expect(off.status == 1, "\(off.stdout)\n\(off.stderr)")
        #expect(off.stdout.contains("VERDICT: DRIFTED"), "\(off.stdout)")
        let empty = dir.write("empty.txt", "\n\n")
        let bad = try runLore(["eval", "drift", "--db", Self.database, "--queries", empty])
        #expect(bad.status != 0 && bad.stderr.contains("empty.txt"), "\(bad.stderr)")
    }
}
