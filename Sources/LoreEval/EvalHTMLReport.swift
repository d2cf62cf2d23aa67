import Foundation

/// The HTML report of `lore eval --html`: one self-contained HTML5 page (inline CSS and SVG,
/// no script, nothing fetched) with the configuration of each run, a chart comparing the
/// runs' quality metrics, every metric side by side (failed gates highlighted) and the
/// worst questions of the main run.
///
/// Every text that comes from a report (labels, questions, answers, sources) is escaped.
public enum EvalHTMLReport {
    /// The bar colours, one per series (earlier runs first, then this invocation's runs),
    /// reused from the start beyond ten series. Saturated and far apart, and unlike any
    /// other colour on the page (where a series' colour appears only in its bars and its
    /// 12 × 12 legend key), so that a screenshot can find each series' bars by colour
    /// (`scripts/screenshot-report`).
    public static let palette = [
        "#e6194b", "#1f6fff", "#ffa200", "#00a651", "#9b30ff",
        "#00b8d9", "#ff2fb9", "#7a5200", "#6b8e00", "#0d1b8c"
    ]

    /// The chart's metrics in order, by family: `recall@k` and `hit@k` are each run's own k.
    public static let chartMetrics = [
        "recall@k", "hit@k", "mrr@10", "ndcg@10", "answer_contains",
        "citation_precision", "citation_recall", "refusal_accuracy"
    ]

    /// Worst answerable questions shown, at most.
    public static let worstLimit = 15

    /// The page for `runs` (this invocation's runs; `runs[0]` is the main one) beside
    /// `earlier` reports (a baseline, history), which come first in the table and chart.
    public static func render(runs: [EvalReport], earlier: [EvalReport]) -> String {
        let series = earlier + runs
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape("lore eval: " + (runs.first?.set ?? "no runs")))</title>
            <style>\(css)</style>
            </head>
            <body>

            """
        html += header(runs: runs, earlier: earlier)
        if series.isEmpty {
            html += "<p>No runs to report.</p>\n</body>\n</html>\n"
            return html
        }
        html += "<section>\n<h2>Quality metrics, run by run</h2>\n" + chart(series) + "</section>\n"
        html += metricsTable(series, earlierCount: earlier.count)
        if let main = runs.first { html += worstSection(main, several: runs.count > 1) }
        html += "</body>\n</html>\n"
        return html
    }

    // MARK: - Sections

    static func header(runs: [EvalReport], earlier: [EvalReport]) -> String {
        var out = "<header>\n<h1>lore eval: \(escape(runs.first?.set ?? earlier.first?.set ?? "no runs"))</h1>\n"
        if let main = runs.first {
            let questions = main.metrics["questions"].map { String(Int($0)) } ?? String(main.questions.count)
            out +=
                "<p class=\"meta\">\(escape(main.createdAt)) · \(questions) questions · "
                + (runs.allSatisfy { $0.failures.isEmpty }
                    ? "<span class=\"ok\">all checks passed</span>"
                    : "<span class=\"bad\">\(plural(runs.reduce(0) { $0 + $1.failures.count }, "check")) failed</span>") + "</p>\n"
        }
        out +=
            "<table class=\"config\">\n<thead><tr><th>run</th><th>mode</th><th>k</th><th>prompt</th><th>backend</th><th>finished</th><th>checks</th></tr></thead>\n<tbody>\n"
        for (i, r) in (earlier + runs).enumerated() {
            let kind = i < earlier.count ? "earlier" : (i == earlier.count ? "this run" : "compared")
            let checks = r.failures.isEmpty ? "<span class=\"ok\">passed</span>" : "<span class=\"bad\">\(r.failures.count) failed</span>"
            out +=
                "<tr><td><b>\(escape(r.label))</b> <small>\(kind)</small></td><td>\(escape(r.mode))</td><td>\(r.k)</td>"
                + "<td>\(escape(r.prompt ?? "default"))</td><td>\(escape(r.backend))</td><td>\(escape(r.createdAt))</td><td>\(checks)</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</header>\n"
    }

    /// `1 check`, `2 checks`.
    static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// The colour of series `i`.
    public static func colour(_ i: Int) -> String { palette[i % palette.count] }

    static func metricsTable(_ series: [EvalReport], earlierCount: Int) -> String {
        var names = Set<String>()
        for r in series { names.formUnion(r.metrics.keys) }
        let quality = names.filter(Gates.guarded).sorted()
        let others = names.filter { !Gates.guarded($0) }.sorted()
        var out = "<section>\n<h2>Metrics</h2>\n<table class=\"metrics\">\n<thead><tr><th>metric</th>"
        for (i, r) in series.enumerated() {
            out += "<th>\(escape(r.label))" + (i < earlierCount ? " <small>earlier</small>" : "") + "</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (group, rows) in [("quality", quality), ("cost and latency", others)] where !rows.isEmpty {
            out += "<tr class=\"group\"><th colspan=\"\(series.count + 1)\">\(group)</th></tr>\n"
            for name in rows {
                out += "<tr><th>\(escape(name))</th>"
                for r in series {
                    guard let v = r.metrics[name] else { out += "<td class=\"none\">–</td>"; continue }
                    let failed = r.failures.filter { $0.metric == name }
                    if failed.isEmpty {
                        out += "<td>\(format(name, v))</td>"
                    } else {
                        out +=
                            "<td class=\"failed\" title=\"\(escape(failed.map(\.check).joined(separator: "; ")))\">\(format(name, v)) ✗</td>"
                    }
                }
                out += "</tr>\n"
            }
        }
        out += "</tbody>\n</table>\n"
        let failing = series.filter { !$0.failures.isEmpty }
        if !failing.isEmpty {
            out += "<div class=\"failures\">\n<h3>Failed checks</h3>\n<ul>\n"
            for r in failing {
                for f in r.failures {
                    out +=
                        "<li><b>\(escape(r.label))</b>: \(escape(f.metric)) = \(String(format: "%.4f", f.value)), \(escape(f.check)); short by \(String(format: "%.4f", f.shortfall))</li>\n"
                }
            }
            out += "</ul>\n</div>\n"
        }
        return out + "</section>\n"
    }

    /// A metric's value as the tables show it: milliseconds with one decimal, counts whole,
    /// costs with six decimals, the rest with three.
    public static func format(_ name: String, _ v: Double) -> String {
        if name.contains("_ms_") { return String(format: "%.1f ms", v) }
        if name.hasPrefix("cost") { return String(format: "%.6f", v) }
        if ["questions", "tokens", "guardrail_findings"].contains(name) { return String(format: "%.0f", v) }
        return String(format: "%.3f", v)
    }

    // MARK: - Chart

    /// The value of a chart metric for one run: `recall@k` and `hit@k` read the run's own k
    /// (else any k the run has), the others their own name; nil when the run lacks it.
    public static func chartValue(_ metric: String, in r: EvalReport) -> Double? {
        guard metric.hasSuffix("@k") else { return r.metrics[metric] }
        let family = String(metric.dropLast(1))
        return r.metrics[family + String(r.k)] ?? r.metrics.keys.filter { $0.hasPrefix(family) }.sorted().first.flatMap { r.metrics[$0] }
    }

    /// Plot geometry (SVG user units, drawn at 1:1).
    static let chartWidth = 1100.0, plotLeft = 56.0, plotRight = 1084.0, plotTop = 28.0, plotHeight = 300.0

    /// The grouped bar chart: one group per quality metric, one bar per series, axis 0..1.
    /// Each bar is a `rect` of class `bar` with `data-series`, `data-metric` and
    /// `data-value`; its height is the value times the plot height.
    static func chart(_ series: [EvalReport]) -> String {
        let metrics = chartMetrics.filter { m in series.contains { chartValue(m, in: $0) != nil } }
        let plotBottom = plotTop + plotHeight
        // The legend, wrapped into rows, below the axis labels.
        var legend: [(x: Double, row: Int, index: Int)] = []
        var x = plotLeft, row = 0
        for (i, r) in series.enumerated() {
            let w = 30 + 7.5 * Double(r.label.count)
            if x + w > plotRight, x > plotLeft { x = plotLeft; row += 1 }
            legend.append((x, row, i))
            x += w + 18
        }
        let legendTop = plotBottom + 44
        let height = legendTop + Double(row + 1) * 22 + 8
        var out =
            "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(chartWidth))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(chartWidth)) \(n(height))\" role=\"img\" aria-label=\"quality metrics by run\">\n"
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let y = plotBottom - t * plotHeight
            out += "<line class=\"grid\" x1=\"\(n(plotLeft))\" y1=\"\(n(y))\" x2=\"\(n(plotRight))\" y2=\"\(n(y))\"/>"
            out +=
                "<text class=\"tick\" x=\"\(n(plotLeft - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(String(format: "%.2f", t))</text>\n"
        }
        out += "<line class=\"axis\" x1=\"\(n(plotLeft))\" y1=\"\(n(plotTop))\" x2=\"\(n(plotLeft))\" y2=\"\(n(plotBottom))\"/>\n"
        let groupWidth = (plotRight - plotLeft) / Double(max(metrics.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        let vertical = barWidth < 30
        for (g, metric) in metrics.enumerated() {
            let left = plotLeft + Double(g) * groupWidth + groupWidth * 0.1
            out += "<g class=\"group\" data-metric=\"\(escape(metric))\">\n"
            for (i, r) in series.enumerated() {
                guard let value = chartValue(metric, in: r) else { continue }
                let clamped = min(max(value, 0), 1)
                let h = clamped * plotHeight
                let bx = left + Double(i) * barWidth
                out +=
                    "<rect class=\"bar\" data-series=\"\(i)\" data-label=\"\(escape(r.label))\" data-metric=\"\(escape(metric))\" data-value=\"\(String(format: "%.6f", value))\" "
                    + "x=\"\(n(bx + 1))\" y=\"\(n(plotBottom - h))\" width=\"\(n(max(barWidth - 2, 1)))\" height=\"\(n(h))\" fill=\"\(colour(i))\">"
                    + "<title>\(escape(r.label)): \(escape(metric)) \(String(format: "%.3f", value))</title></rect>\n"
                let cx = bx + barWidth / 2, label = String(format: "%.2f", value)
                if vertical {
                    out +=
                        "<text class=\"value\" transform=\"translate(\(n(cx + 4)) \(n(plotBottom - h - 4))) rotate(-90)\">\(label)</text>\n"
                } else {
                    out += "<text class=\"value\" x=\"\(n(cx))\" y=\"\(n(plotBottom - h - 5))\" text-anchor=\"middle\">\(label)</text>\n"
                }
            }
            out +=
                "<text class=\"name\" x=\"\(n(left + groupWidth * 0.4))\" y=\"\(n(plotBottom + 20))\" text-anchor=\"middle\">\(escape(axisName(metric, series)))</text>\n</g>\n"
        }
        out += "<line class=\"axis\" x1=\"\(n(plotLeft))\" y1=\"\(n(plotBottom))\" x2=\"\(n(plotRight))\" y2=\"\(n(plotBottom))\"/>\n"
        out += "<g class=\"legend\">\n"
        for item in legend {
            let y = legendTop + Double(item.row) * 22
            out +=
                "<rect class=\"key\" x=\"\(n(item.x))\" y=\"\(n(y))\" width=\"12\" height=\"12\" fill=\"\(colour(item.index))\"/>"
                + "<text x=\"\(n(item.x + 18))\" y=\"\(n(y + 11))\">\(escape(series[item.index].label))</text>\n"
        }
        return out + "</g>\n</svg>\n"
    }

    /// A chart metric's name under its group: `recall@k` becomes `recall@5` when every run
    /// has the same k.
    static func axisName(_ metric: String, _ series: [EvalReport]) -> String {
        guard metric.hasSuffix("@k") else { return metric }
        let ks = Set(series.map(\.k))
        return ks.count == 1 ? String(metric.dropLast(1)) + String(ks.first!) : metric
    }

    /// A coordinate with two decimals.
    static func n(_ v: Double) -> String { String(format: "%.2f", v) }

    // MARK: - Worst questions

    /// The questions the report shows for `report`: answerable questions with gold sources
    /// whose reciprocal rank is below 1, lowest first (ties in set order), at most
    /// `worstLimit`; then the unanswerable questions that were answered instead of refused.
    public static func worstQuestions(_ report: EvalReport) -> (
        answerable: [EvalRunner.QuestionResult], unrefused: [EvalRunner.QuestionResult]
    ) {
        let ranked = report.questions.enumerated()
            .filter { $0.element.answerable && !$0.element.gold.isEmpty && $0.element.reciprocalRank < 1 }
            .sorted { ($0.element.reciprocalRank, $0.offset) < ($1.element.reciprocalRank, $1.offset) }
            .prefix(worstLimit).map(\.element)
        return (Array(ranked), report.questions.filter { !$0.answerable && !$0.refused })
    }

    static func worstSection(_ report: EvalReport, several: Bool) -> String {
        let (answerable, unrefused) = worstQuestions(report)
        var out = "<section>\n<h2>Worst questions" + (several ? " of \(escape(report.label))" : "") + "</h2>\n"
        if answerable.isEmpty && unrefused.isEmpty {
            return out + "<p>Every answerable question has a gold document first, and every unanswerable one was refused.</p>\n</section>\n"
        }
        if !answerable.isEmpty {
            out += "<p>Answerable questions with the lowest reciprocal rank (the first gold document lower than first).</p>\n"
            for q in answerable { out += question(q) }
        }
        if !unrefused.isEmpty {
            out += "<h3>Unanswerable questions that were answered</h3>\n"
            for q in unrefused { out += question(q) }
        }
        return out + "</section>\n"
    }

    /// Longest answer shown, in characters.
    static let answerLimit = 400

    static func question(_ q: EvalRunner.QuestionResult) -> String {
        let gold = Set(q.gold)
        var out =
            "<article class=\"question\" id=\"q-\(escape(q.id))\">\n<h4><code>\(escape(q.id))</code> \(escape(q.question))</h4>\n<dl>\n"
        if q.answerable {
            out += "<dt>gold</dt><dd>\(q.gold.map { "<code>\(escape($0))</code>" }.joined(separator: ", "))</dd>\n"
            out +=
                "<dt>first gold rank</dt><dd>\(q.firstGoldRank.map(String.init) ?? "not retrieved") (reciprocal rank \(String(format: "%.3f", q.reciprocalRank)))</dd>\n"
        } else {
            out += "<dt>expected</dt><dd>a refusal (the documents do not answer it)</dd>\n"
        }
        out += "<dt>retrieved</dt><dd><ol class=\"retrieved\">"
        for doc in q.retrieved.prefix(5) {
            out +=
                gold.contains(doc) ? "<li class=\"gold\"><code>\(escape(doc))</code> ✓ gold</li>" : "<li><code>\(escape(doc))</code></li>"
        }
        if q.retrieved.isEmpty { out += "<li>nothing</li>" }
        out += "</ol></dd>\n"
        let answer = q.answer.count > answerLimit ? String(q.answer.prefix(answerLimit)) + "…" : q.answer
        out += "<dt>answer</dt><dd class=\"answer\">" + (q.refused ? "<i>refused</i> " : "") + "\(escape(answer))</dd>\n</dl>\n</article>\n"
        return out
    }

    // MARK: - Text

    /// `text` safe in HTML text and in quoted attribute values: `&`, `<`, `>`, `"` and `'`
    /// become character references.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1b1b;background:#fff;margin:24px 32px;max-width:1140px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:18px 0 6px}h4{font-size:14px;margin:0 0 6px}
        .meta{color:#555;margin:0 0 12px}.ok{color:#176b2c;font-weight:600}.bad{color:#a1001b;font-weight:600}
        table{border-collapse:collapse}th,td{padding:3px 10px;border-bottom:1px solid #e4e4e4;text-align:left}
        table.metrics td{text-align:right;font-variant-numeric:tabular-nums}table.metrics tr.group th{background:#f4f4f4;color:#555;font-weight:600}
        td.failed{background:#ffe1e1;color:#8a0016;font-weight:700}td.none{color:#aaa}
        small{color:#777;font-weight:400}.failures{border-left:4px solid #c4001f;padding:2px 12px;margin:12px 0;background:#fff6f6}
        svg text{font-family:inherit;font-size:12px;fill:#222}svg .tick{fill:#666;font-size:11px}svg .value{font-size:11px;fill:#333}
        svg .grid{stroke:#e6e6e6;stroke-width:1}svg .axis{stroke:#444;stroke-width:1}svg .name{font-weight:600}
        article.question{border:1px solid #e4e4e4;border-radius:6px;padding:10px 14px;margin:10px 0}
        dl{display:grid;grid-template-columns:130px 1fr;gap:2px 10px;margin:0}dt{color:#666}dd{margin:0}
        ol.retrieved{margin:0;padding-left:20px}li.gold{font-weight:700;color:#176b2c}.answer{white-space:pre-wrap;color:#333}
        code{font-family:"DejaVu Sans Mono",monospace;font-size:12.5px}
        """
}
