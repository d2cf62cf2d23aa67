import Foundation
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
        for key in ["hit@5", "recall@5", "mrr@10", "ndcg@10", "answer_contains", "citation_precision", "citation_recall", "refusal_accuracy", "latency_ms_p50"] {
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
}
