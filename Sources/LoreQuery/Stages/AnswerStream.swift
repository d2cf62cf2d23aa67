import Foundation
import LoreCore
import LorePrompts

/// The answer's text on its way out: each piece passes the guards' stream filter (PII and
/// secrets redacted before they reach the client), and `drain` flushes what the filter holds
/// back. After `drain`, `emitted` is exactly what the client received.
struct AnswerStream {
    let filter: (any OutputStreamFilter)?
    private(set) var emitted = ""

    init(guards: any QueryGuards, sources: [ContextSource], context: GuardContext) {
        filter = guards.outputFilter(sources: sources, context: context)
    }

    mutating func send(_ text: String, _ run: inout QueryRun) {
        guard !text.isEmpty else { return }
        var out = text
        if let filter {
            let t = DispatchTime.now()
            out = filter.push(text)
            run.timings.guardrails += QueryService.ms(since: t)
        }
        emitted += out
        if !out.isEmpty { run.emit(.delta(out)) }
    }

    /// Sends the rest of the filter's text and records its findings; returns the answer as sent.
    mutating func drain(_ run: inout QueryRun) -> String {
        guard let filter else { return emitted }
        let t = DispatchTime.now()
        let (rest, found) = filter.finish()
        run.timings.guardrails += QueryService.ms(since: t)
        emitted += rest
        if !rest.isEmpty { run.emit(.delta(rest)) }
        run.report(found)
        return emitted
    }
}
