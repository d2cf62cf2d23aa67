import Foundation
import LoreRetrieval

/// The context rails over the retrieved passages: passages carrying instructions aimed at
/// the model are withheld (and counted in the response), the rest go on.
public struct ContextGuardStage: Sendable {
    public let guards: any QueryGuards

    public init(guards: any QueryGuards) { self.guards = guards }

    public func run(_ passages: [Passage], _ run: inout QueryRun) async -> ContextVerdict {
        let context = run.guardContext
        let verdict = await run.timingGuards { await guards.checkContext(passages, context: context) }
        run.report(verdict.findings)
        run.response.withheldSources = verdict.withheld
        return verdict
    }
}
