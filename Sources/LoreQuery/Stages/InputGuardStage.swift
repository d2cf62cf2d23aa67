import Foundation
import LoreCore
import LoreRetrieval

/// The first stage: the input rails on the question and the conversation (length, deny
/// list, PII), then the checks on the question's embedding (the injection classifier). The
/// question is embedded once here, after redaction, and retrieval reuses the vector.
public struct InputGuardStage: Sendable {
    public let guards: any QueryGuards
    /// Embeds the question when the guards want its vector (nil: they get none).
    public let embedder: (any Embedder)?

    public init(guards: any QueryGuards, embedder: (any Embedder)?) {
        self.guards = guards
        self.embedder = embedder
    }

    /// Rewrites `run.question` and `run.history` as the guards redacted them; returns the
    /// answer to give instead when a rail blocks the question, else nil.
    public func run(_ run: inout QueryRun) async throws -> String? {
        let (question, history, context) = (run.question, run.history, run.guardContext)
        var input = await run.timingGuards { await guards.checkInput(question, history: history, context: context) }
        if input.blockedAnswer == nil {
            if guards.wantsQuestionVector, let embedder {
                let t = DispatchTime.now()
                let span = Tracing.beginEmbedding(model: embedder.modelID)
                defer { span?.end() }
                do { run.questionVector = try await embedder.embed([input.question]).first } catch {
                    span?.fail(error)
                    throw QueryError(.retrieval, "embedding the question: \(error)")
                }
                run.timings.embed += QueryService.ms(since: t)
            }
            let (redacted, vector) = (input.question, run.questionVector)
            let checked = await run.timingGuards { await guards.checkQuestion(redacted, vector: vector, context: context) }
            input.findings += checked.findings
            input.blockedAnswer = checked.blockedAnswer
        }
        run.question = input.question
        run.standalone = input.question
        run.history = input.history ?? run.request.history
        run.report(input.findings)
        return input.blockedAnswer
    }
}
