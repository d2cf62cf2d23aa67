import Foundation
import LoreCore
import LorePrompts

/// The output rails over the whole answer (citations checked against the sources, PII),
/// then the note that says when sources were withheld.
public struct OutputGuardStage: Sendable {
    public let guards: any QueryGuards

    public init(guards: any QueryGuards) { self.guards = guards }

    /// Returns the final answer.
    public func run(_ answer: String, sources: [ContextSource], sufficient: Bool, withheld: Int, _ run: inout QueryRun) async -> String {
        let context = run.guardContext
        let output = await run.timingGuards {
            await guards.checkOutput(answer, sources: sources, sufficientContext: sufficient, context: context)
        }
        run.report(output.findings)
        var final = output.answer
        if withheld > 0 {
            let note = "\n\n" + QueryService.withheldNote(withheld)
            final += note
            run.emit(.delta(note))
        }
        return final
    }
}
