import Foundation
import LoreOps
import LoreStore

/// `lore canary status|reset`: the canary's state, as the server last saved it.
public enum CanaryCommand {
    /// Every canary run (the configured candidate's first), with its arms and decisions.
    public static func status(json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        let store = try config.requestLogStore()
        let runs = try store.canaryRuns()
        let decisions = try store.canaryDecisions()
        var out = CommandOutput()
        if json {
            struct Entry: Encodable {
                var run: CanaryRun
                var stats: CanaryController.Stats?
                var decisions: [CanaryDecisionRecord]
            }
            out.print(
                try CommandText.json(
                    encoding: runs.map { r in
                        Entry(
                            run: r, stats: try? JSONDecoder().decode(CanaryController.Stats.self, from: Data(r.stats.utf8)),
                            decisions: decisions.filter { $0.candidate == r.candidate })
                    }))
            return out
        }
        guard !runs.isEmpty else {
            out.print(
                config.canary.enabled
                    ? "canary \(config.canary.asShadow.candidate.label): not started yet (lore serve starts it)"
                    : "no canary has run (name a candidate under canary: in the configuration)")
            return out
        }
        for r in runs {
            let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: r.updatedAt))
            out.print("canary \(r.candidate): \(r.state) (updated \(when))")
            if !r.reason.isEmpty { out.print("  reason: \(r.reason)") }
            if let s = try? JSONDecoder().decode(CanaryController.Stats.self, from: Data(r.stats.utf8)) {
                for (name, a) in [("primary", s.primary), ("canary", s.canary)] {
                    func rate(_ x: Int) -> String { a.requests == 0 ? "-" : String(format: "%.3f", Double(x) / Double(a.requests)) }
                    out.print(
                        "  \(name): \(a.requests) requests, errors \(rate(a.failures)), refusals \(rate(a.refusals)), negative feedback \(rate(a.negativeFeedback)), unsupported \(rate(a.unsupported)), p95 \(a.p95Ms.map { String(format: "%.0f ms", $0) } ?? "-")"
                    )
                }
            }
            for d in decisions where d.candidate == r.candidate {
                out.print("  \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: d.at))) \(d.decision): \(d.reason)")
            }
        }
        return out
    }

    /// Forgets the configured candidate's run (or `candidate`'s): the next `lore serve`
    /// starts the canary again.
    public static func reset(candidate: String?, config: LoreConfiguration) throws -> CommandOutput {
        guard let name = candidate ?? (config.canary.enabled ? config.canary.asShadow.candidate.label : nil) else {
            throw UsageError("no canary is configured: name one with --candidate (as lore canary status shows it)")
        }
        var out = CommandOutput()
        if try config.requestLogStore().resetCanaryRun(candidate: name) {
            out.print("canary \(name): reset; the next lore serve starts it again")
        } else {
            throw CommandFailure(description: "no canary run for \(name) (lore canary status lists them)")
        }
        return out
    }
}
