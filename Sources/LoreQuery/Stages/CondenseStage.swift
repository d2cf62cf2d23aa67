import Foundation
import Logging
import LoreCore
import LorePrompts

/// Turns a follow-up into a standalone question: the `condense` prompt on an LLM backend,
/// the heuristic otherwise (or when the LLM fails or answers nothing usable). A first
/// question passes unchanged.
public struct CondenseStage: Sendable {
    public let prompts: PromptRegistry
    let logger: Logger

    public init(prompts: PromptRegistry, logger: Logger = Logger(label: "lore.query")) {
        self.prompts = prompts
        self.logger = logger
    }

    /// Sets `run.standalone` (and the response's standalone question).
    public func run(_ run: inout QueryRun, generator: any Generator) async {
        if !run.history.isEmpty {
            let t = DispatchTime.now()
            run.standalone = await condense(
                run.question, history: run.history, generator: generator,
                key: run.request.userKey ?? run.request.conversationID, requestID: run.requestID)
            run.timings.condense = QueryService.ms(since: t)
        }
        run.response.standaloneQuestion = run.standalone
    }

    /// A follow-up as a standalone question.
    public func condense(_ question: String, history: [ChatMessage], generator: any Generator, key: String?, requestID: String) async
        -> String
    {
        let heuristic = HeuristicCondenser.condense(question, history: history)
        guard !(generator is ExtractiveAnswerer), let template = try? prompts.select(KnownPrompts.condense, key: key) else {
            return heuristic
        }
        let transcript = history.suffix(6).map { "\($0.role == .user ? "User" : "Assistant"): \($0.content)" }.joined(separator: "\n")
        do {
            let messages = try template.render(["question": question, "history": transcript])
            var text = ""
            for try await event in generator.generate(
                GenerationRequest(
                    messages: messages, parameters: template.parameters,
                    question: question, requestID: requestID, stream: false))
            {
                if case .delta(let d) = event { text += d }
            }
            let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if line.count >= 3 && line.count <= 4 * max(question.count, 200) { return line }
            logger.warning("condense gave nothing usable; using the heuristic", metadata: ["request_id": "\(requestID)"])
        } catch {
            logger.warning("condense failed; using the heuristic", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
        }
        return heuristic
    }
}
