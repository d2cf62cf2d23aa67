import Foundation
import LoreTestSupport
import Testing

@testable import LoreEval

/// The HTML report of `lore eval --html`, on reports built by hand; and, where Debian's
/// Chromium is installed, a real browser's screenshot of it.
@Suite("HTML evaluation report")
struct EvalHTMLReportTests {
    static func question(
        _ id: String, _ text: String = "What does it do?", answerable: Bool = true, gold: [String] = ["gold.html"],
        retrieved: [String] = ["a.html", "gold.html"], reciprocalRank: Double = 0.5, firstGoldRank: Int? = 2,
        answer: String = "It does things [1].", refused: Bool = false
    ) -> EvalRunner.QuestionResult {
        EvalRunner.QuestionResult(
            id: id, question: text, answerable: answerable, gold: gold, retrieved: retrieved, cited: [], firstGoldRank: firstGoldRank,
            hit: firstGoldRank == nil ? 0 : 1, recall: firstGoldRank == nil ? 0 : 1, reciprocalRank: reciprocalRank, ndcg: reciprocalRank,
            answer: answer, answerContains: true, refused: refused, refusalCorrect: refused != answerable, citationPrecision: nil,
            citationRecall: nil, guardrailFindings: 0, tokens: 10, latencyMs: 5, retrieveMs: 2, embedMs: 1, generateMs: 1)
    }

    /// Quality metrics of a run with k 5, from `base` up in steps of 0.05, plus latency and counts.
    static func metrics(_ base: Double, k: Int = 5) -> [String: Double] {
        var m: [String: Double] = ["latency_ms_p50": 12.25, "questions": 4, "tokens": 1234]
        let names = [
            "recall@\(k)", "hit@\(k)", "mrr@10", "ndcg@10", "answer_contains", "citation_precision", "citation_recall", "refusal_accuracy"
        ]
        for (i, name) in names.enumerated() { m[name] = base + 0.05 * Double(i) }
        return m
    }

    static func report(
        _ label: String, base: Double, k: Int = 5, failures: [GateFailure] = [],
        questions: [EvalRunner.QuestionResult] = []
    ) -> EvalReport {
        EvalReport(
            label: label, set: "eval/sets/corpus-qa.jsonl", k: k, mode: "hybrid", prompt: nil, backend: "extractive",
            createdAt: "2025-11-22T10:00:00Z", metrics: metrics(base, k: k), failures: failures, questions: questions)
    }

    /// One bar of the chart as the SVG has it.
    struct Bar {
        var series: Int; var label: String; var metric: String; var value: Double; var y: Double; var height: Double; var fill: String
    }

    static func bars(_ html: String) throws -> [Bar] {
        let pattern =
            #"<rect class="bar" data-series="(\d+)" data-label="([^"]*)" data-metric="([^"]*)" data-value="([^"]*)" x="[^"]*" y="([^"]*)" width="[^"]*" height="([^"]*)" fill="([^"]*)""#
        let regex = try NSRegularExpression(pattern: pattern)
        let ns = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map { m in
            func g(_ i: Int) -> String { ns.substring(with: m.range(at: i)) }
            return Bar(
                series: Int(g(1))!, label: g(2), metric: g(3), value: Double(g(4))!, y: Double(g(5))!, height: Double(g(6))!, fill: g(7))
        }
    }

    @Test("the page names every run, earlier runs first, and shows every metric's value in the table")
    func labelsAndValues() {
        let html = EvalHTMLReport.render(
            runs: [Self.report("hybrid k5", base: 0.6), Self.report("dense k5", base: 0.4)],
            earlier: [Self.report("baseline", base: 0.5)])
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        let header = html.range(of: "<table class=\"metrics\">").map { String(html[$0.lowerBound...]) } ?? ""
        let columns = ["baseline", "hybrid k5", "dense k5"].map { header.range(of: "<th>" + $0)?.lowerBound }
        #expect(columns.allSatisfy { $0 != nil }, "each run has a column")
        #expect(columns[0]! < columns[1]! && columns[1]! < columns[2]!, "earlier runs first, then runs in order")
        // recall@5 of each run (base), refusal_accuracy (base + 0.35), latency and counts.
        for v in ["0.600", "0.400", "0.500", "0.950", "0.750", "0.850"] { #expect(html.contains("<td>\(v)</td>"), "\(v)") }
        #expect(html.contains("<td>12.2 ms</td>") || html.contains("<td>12.3 ms</td>"))
        #expect(html.contains("<td>1234</td>"))
        // Quality metrics come before latency.
        #expect(html.range(of: "<th>refusal_accuracy</th>")!.lowerBound < html.range(of: "<th>latency_ms_p50</th>")!.lowerBound)
    }

    @Test("each bar's height is its value times the plot height, from a common baseline, in one colour per run")
    func barHeights() throws {
        let runs = [Self.report("k=1", base: 0.3, k: 1), Self.report("k=5", base: 0.6)]
        let html = EvalHTMLReport.render(runs: runs, earlier: [Self.report("baseline", base: 0.1)])
        #expect(html.contains("<svg id=\"chart\""))
        let bars = try Self.bars(html)
        #expect(bars.count == 3 * 8, "eight quality metrics for each of three series")
        for b in bars {
            #expect(abs(b.height - b.value * EvalHTMLReport.plotHeight) < 0.01, "\(b.label) \(b.metric): height \(b.height) for \(b.value)")
            #expect(abs(b.y + b.height - (EvalHTMLReport.plotTop + EvalHTMLReport.plotHeight)) < 0.02, "bars stand on the axis")
        }
        // Ratios between bars are the ratios between values: refusal_accuracy of k=5 (0.95) against recall of the baseline (0.1).
        let tall = try #require(bars.first { $0.label == "k=5" && $0.metric == "refusal_accuracy" })
        let short = try #require(bars.first { $0.label == "baseline" && $0.metric == "recall@k" })
        #expect(abs(tall.height / short.height - 9.5) < 0.01)
        // recall@k reads each run's own k: the k=1 run's recall@1.
        #expect(bars.first { $0.label == "k=1" && $0.metric == "recall@k" }?.value == 0.3)
        let fills = Dictionary(grouping: bars, by: \.series).mapValues { Set($0.map(\.fill)) }
        #expect(fills.values.allSatisfy { $0.count == 1 }, "one colour per series")
        #expect(Set(fills.values.map { $0.first! }).count == 3, "a different colour for each series")
        #expect(fills[0] == [EvalHTMLReport.palette[0]] && fills[2] == [EvalHTMLReport.palette[2]])
        // A value label above each bar, and a legend entry per series.
        #expect(html.contains(">0.95</text>") && html.contains(">0.10</text>"))
        for label in ["baseline", "k=1", "k=5"] { #expect(html.contains("\">\(label)</text>"), "legend: \(label)") }
    }

    @Test("text from the reports is escaped everywhere: a question holding <script> stays text")
    func escaping() {
        let nasty = #"<script>alert("x")</script> & 'y'"#
        let q = Self.question(
            "q<1>", nasty, retrieved: ["<b>.html", "gold.html"], reciprocalRank: 0, firstGoldRank: nil, answer: "</dd><img src=x>")
        let html = EvalHTMLReport.render(runs: [Self.report("run \"<i>\"", base: 0.5, questions: [q])], earlier: [])
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<i>") && !html.contains("<b>.html"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"))
        #expect(html.contains("&lt;/dd&gt;&lt;img src=x&gt;"))
        #expect(html.contains("data-label=\"run &quot;&lt;i&gt;&quot;\""))
        #expect(EvalHTMLReport.escape("a<b>&\"'c") == "a&lt;b&gt;&amp;&quot;&#39;c")
    }

    @Test("the page is self-contained: no script, no external resource")
    func selfContained() {
        let html = EvalHTMLReport.render(runs: [Self.report("run", base: 0.5, questions: [Self.question("q1")])], earlier: [])
        for banned in ["<script", "<link", "src=", "href=", "@import", "url("] { #expect(!html.contains(banned), "\(banned)") }
        #expect(html.contains("<style>"))
    }

    @Test("worst questions: answerable ones by lowest reciprocal rank (ties in set order), then unanswerable ones not refused")
    func worstQuestions() {
        let questions = [
            Self.question("perfect", reciprocalRank: 1, firstGoldRank: 1),
            Self.question("half", reciprocalRank: 0.5, firstGoldRank: 2),
            Self.question(
                "missed", retrieved: ["a.html", "b.html", "c.html", "d.html", "e.html", "f.html"], reciprocalRank: 0, firstGoldRank: nil),
            Self.question("quarter", reciprocalRank: 0.25, firstGoldRank: 4),
            Self.question("missed-too", reciprocalRank: 0, firstGoldRank: 12),
            Self.question("no-gold", gold: [], reciprocalRank: 0, firstGoldRank: nil),
            Self.question("refused-well", answerable: false, gold: [], refused: true),
            Self.question("answered-wrongly", answerable: false, gold: [], answer: "Made up.")
        ]
        let r = Self.report("run", base: 0.5, questions: questions)
        let (answerable, unrefused) = EvalHTMLReport.worstQuestions(r)
        #expect(answerable.map(\.id) == ["missed", "missed-too", "quarter", "half"])
        #expect(unrefused.map(\.id) == ["answered-wrongly"])
        let html = EvalHTMLReport.render(runs: [r], earlier: [])
        let positions = ["missed", "missed-too", "quarter", "half", "answered-wrongly"].map { html.range(of: "id=\"q-\($0)\"")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! }, "shown in that order")
        for absent in ["perfect", "no-gold", "refused-well"] { #expect(!html.contains("id=\"q-\(absent)\""), "\(absent)") }
        // Retrieved documents: the top 5 only, gold ones marked.
        #expect(html.contains("<code>e.html</code>") && !html.contains("<code>f.html</code>"))
        #expect(html.contains("<li class=\"gold\"><code>gold.html</code> ✓ gold</li>"))
        #expect(html.contains("not retrieved") && html.contains("<dd>12 (reciprocal rank 0.000)</dd>"))
    }

    @Test("at most 15 worst answerable questions; long answers are cut")
    func limits() {
        let long = String(repeating: "word ", count: 200)
        let questions = (1...20).map { Self.question("q\($0)", reciprocalRank: 1 / Double($0 + 1), answer: long) }
        let r = Self.report("run", base: 0.5, questions: questions)
        let (answerable, _) = EvalHTMLReport.worstQuestions(r)
        #expect(answerable.count == 15 && answerable.first?.id == "q20" && answerable.last?.id == "q6")
        let html = EvalHTMLReport.render(runs: [r], earlier: [])
        #expect(html.contains(String(long.prefix(EvalHTMLReport.answerLimit)) + "…") && !html.contains(long))
    }

    @Test("failed gates are highlighted in the table and listed with their shortfall")
    func failures() {
        let failure = GateFailure(check: "gate recall@5>=0.9", metric: "recall@5", value: 0.6, bound: 0.9, shortfall: 0.3)
        let html = EvalHTMLReport.render(runs: [Self.report("run", base: 0.6, failures: [failure])], earlier: [])
        #expect(html.contains("<td class=\"failed\" title=\"gate recall@5&gt;=0.9\">0.600 ✗</td>"))
        #expect(html.contains("recall@5 = 0.6000, gate recall@5&gt;=0.9; short by 0.3000"))
        #expect(html.contains("1 check failed"))
        #expect(!EvalHTMLReport.render(runs: [Self.report("run", base: 0.6)], earlier: []).contains("class=\"failed\""))
    }

    static let chromium = "/usr/bin/chromium"
    static let chromiumRequired = ProcessInfo.processInfo.environment["LORE_REQUIRE_CHROMIUM"] == "1"

    @Test(
        "headless Chromium renders the report and the chart's bars of both runs are visible in its screenshot",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: chromium) || chromiumRequired,
            "Debian's chromium is not installed (apt-get install chromium, or LORE_REQUIRE_CHROMIUM=1 to require it)"),
        .timeLimit(.minutes(5)))
    func screenshot() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.chromium), "LORE_REQUIRE_CHROMIUM=1 but \(Self.chromium) is missing")
        let dir = TemporaryDirectory("lore-html-report")
        let questions = [
            Self.question("q1", reciprocalRank: 0.5),
            Self.question("q2", "What about <tags> & things?", reciprocalRank: 0, firstGoldRank: nil)
        ]
        let html = EvalHTMLReport.render(
            runs: [Self.report("mode=hybrid", base: 0.55, questions: questions), Self.report("mode=lexical", base: 0.35)],
            earlier: [Self.report("baseline", base: 0.5)])
        let page = dir.write("report.html", html)
        let png = dir.path + "/report.png"
        let r = try runProcess("/bin/bash", [TestPaths.repositoryRoot + "/scripts/screenshot-report", page, png])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: png))
        for label in ["baseline", "mode=hybrid", "mode=lexical"] {
            #expect(r.stdout.contains("'\(label)'") && r.stdout.contains("ok"), "\(r.stdout)")
        }

        // The check can fail: the same page with its chart hidden is refused.
        let hidden = dir.write("hidden.html", html.replacingOccurrences(of: "</style>", with: "#chart{visibility:hidden}</style>"))
        let refused = try runProcess(
            "/bin/bash", [TestPaths.repositoryRoot + "/scripts/screenshot-report", hidden, dir.path + "/hidden.png"])
        #expect(refused.status == 1 && refused.stdout.contains("FAILED"), "\(refused.stdout)\n\(refused.stderr)")
    }
}
