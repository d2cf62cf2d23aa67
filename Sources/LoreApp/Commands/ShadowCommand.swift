import Foundation
import LoreOps
import LoreStore

/// `lore shadow report`: how the shadow candidate's answers compare with what users got.
public enum ShadowCommand {
    /// The report over the pairs of the last `days` days (of `candidate` only, when given):
    /// text, or JSON with `json`; `html` also writes the page there.
    public static func report(candidate: String?, days: Double?, html: String?, json: Bool, config: LoreConfiguration) throws
        -> CommandOutput
    {
        if let days, !(days > 0) { throw UsageError("--days must be above 0, not \(days)") }
        let since = days.map { Date().timeIntervalSince1970 - $0 * 86_400 }
        let pairs = try config.requestLogStore().shadowPairs(candidate: candidate, since: since, limit: 1_000_000)
        let summaries = ShadowReport.summaries(pairs)
        var out = CommandOutput()
        if let html {
            do { try ShadowReport.html(summaries).write(toFile: html, atomically: true, encoding: .utf8) } catch {
                throw CommandFailure(description: "--html \(html): cannot write: \(error.localizedDescription)")
            }
        }
        if json {
            out.print(try CommandText.json(encoding: summaries))
        } else {
            out.print(ShadowReport.text(summaries))
            if let html { out.print("wrote \(html)") }
        }
        return out
    }
}
