import Foundation
import LoreEval
import LoreGuardrails

/// The tables `lore guard eval` prints.
public enum GuardEvalText {
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s.padding(toLength: n, withPad: " ", startingAt: 0) }
    static func f3(_ x: Double) -> String { String(format: "%.3f", x) }

    /// One set's rates as a table (the first line blank, then `== PATH`); with `verbose`,
    /// every miss and false positive.
    public static func render(path: String, _ r: GuardEvaluation.Report, verbose: Bool) -> String {
        var lines: [String] = []
        lines.append("\n== \(path)")
        lines.append(pad("rule family", 22) + pad("set", 36) + pad("detection", 18) + pad("false positives", 22) + "p50 µs")
        if let p = r.pii {
            lines.append(
                pad("pii + secrets", 22) + pad("\(p.positives) items, \(p.lookalikes) look-alikes", 36) + pad("recall " + f3(p.recall), 18)
                    + pad("precision " + f3(p.precision), 22) + String(format: "%.1f", p.microsecondsP50))
            lines.append(pad("", 22) + pad("", 36) + pad("", 18) + "look-alikes hit " + f3(p.lookalikeFalsePositiveRate))
            for (name, f) in p.families.sorted(by: { $0.key < $1.key }) where f.items > 0 {
                lines.append(
                    pad("  " + name.replacingOccurrences(of: "_", with: " "), 22) + pad("\(f.items) items", 36)
                        + pad("recall " + f3(f.recall), 18)
                        + "precision " + f3(f.precision))
            }
            for (kind, rate) in p.recallByKind.sorted(by: { $0.key < $1.key }) {
                lines.append(pad("  " + kind, 22) + pad("", 36) + "\(rate.hits)/\(rate.total)")
            }
            if verbose {
                for m in p.missed { lines.append("pii missed: \(m)") }
                for m in p.falsePositives { lines.append("pii false positive: \(m)") }
            }
        }
        if let i = r.injection {
            lines.append(
                pad("prompt injection", 22) + pad("\(i.attacks) attempts, \(i.benign) benign", 36) + pad("rate " + f3(i.detectionRate), 18)
                    + pad("rate " + f3(i.falsePositiveRate), 22) + String(format: "%.1f", i.microsecondsP50))
            lines.append("  threshold \(i.threshold), detector \(i.detector)")
            func table(_ title: String, _ detection: [String: GuardEvaluation.Rate], _ fp: [String: GuardEvaluation.Rate]) {
                let keys = Set(detection.keys).union(fp.keys).sorted()
                guard keys.count > 1 || keys.first != "?" else { return }
                lines.append("  by \(title):")
                for k in keys {
                    let d = detection[k].map { "\($0.hits)/\($0.total) (\(f3($0.value)))" } ?? "-"
                    let f = fp[k].map { "\($0.hits)/\($0.total) (\(f3($0.value)))" } ?? "-"
                    lines.append("    " + pad(k, 26) + pad("detected " + d, 30) + "false positives " + f)
                }
            }
            table("place", i.detectionByWhere, i.falsePositiveByWhere)
            table("family", i.detectionByFamily, i.falsePositiveByFamily)
            table("language", i.detectionByLanguage, i.falsePositiveByLanguage)
            table("corpus", i.detectionByCorpus, [:])
            if verbose {
                for m in i.missed { lines.append("injection missed: \(m)") }
                for m in i.falsePositives { lines.append("injection false positive: \(m)") }
            }
        }
        if let s = r.support {
            lines.append(
                pad("unsupported citation", 22) + pad("\(s.pairs) sentence pairs, overlap < \(s.threshold)", 36)
                    + pad("rate " + f3(s.detectionRate), 18)
                    + pad("rate " + f3(s.falsePositiveRate), 22) + String(format: "%.1f", s.microsecondsP50))
        }
        return lines.joined(separator: "\n")
    }
}
