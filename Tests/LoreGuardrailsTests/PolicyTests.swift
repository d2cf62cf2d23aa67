import Foundation
import Testing
import Yams

@testable import LoreGuardrails

@Suite("Guardrail policy")
struct PolicyTests {
    @Test("the defaults are on: redact PII, block injection, drop injected passages, remove invented citations, refuse on thin context")
    func defaults() throws {
        let p = GuardrailPolicy()
        try p.validate()
        #expect(p.enabled && p.audit && p.input.maxQuestionChars == 4_000)
        #expect(p.input.pii.action == .redact && p.input.injection.action == .block && p.input.injection.threshold == nil)
        #expect(p.input.injection.categories == ["instructions": .flag])
        #expect(p.context.injection.action == .drop && p.context.scanAtIngest && p.context.scanWindows)
        #expect(p.output.pii.action == .redact && p.output.invalidCitations.action == .remove)
        #expect(p.output.missingCitations.action == .flag && p.output.insufficientContext.action == .refuse)
    }

    @Test("a YAML section overrides only the keys it names, and every rule can be switched off")
    func yaml() throws {
        let text = """
            audit: false
            input:
              pii: { action: off }
              injection: { action: flag, threshold: 0.7 }
              deny: { patterns: ["salary of *"] }
            context:
              injection: { action: off }
              scan_windows: false
            output:
              unsupported: { action: off }
              missing_citations: { action: refuse }
            """
        let p = try YAMLDecoder().decode(GuardrailPolicy.self, from: text)
        try p.validate()
        #expect(!p.audit && !p.input.pii.isOn && p.input.injection == .init(.flag, threshold: 0.7))
        #expect(p.input.deny.patterns == ["salary of *"] && p.input.deny.action == .block)
        #expect(!p.context.injection.isOn && !p.output.unsupported.isOn && p.output.missingCitations.action == .refuse)
        #expect(!p.context.scanWindows && p.context.scanAtIngest)
        #expect(p.output.pii.action == .redact && p.input.maxQuestionChars == 4_000)
    }

    @Test(
        "an action a rule cannot take, or a threshold out of range, is an error naming the key",
        arguments: [
            ("input:\n  pii: { action: drop }", "guardrails.input.pii.action"),
            ("context:\n  injection: { action: redact }", "guardrails.context.injection.action"),
            ("input:\n  injection: { action: block, threshold: 1.5 }", "guardrails.input.injection.threshold"),
            ("input:\n  max_question_chars: -1", "guardrails.input.max_question_chars"),
            ("input:\n  deny: { patterns: [\" * \"] }", "guardrails.input.deny.patterns[0]")
        ])
    func invalid(yaml: String, key: String) throws {
        let p = try YAMLDecoder().decode(GuardrailPolicy.self, from: yaml)
        #expect { try p.validate() } throws: { "\($0)".contains(key) }
    }

    @Test("an unknown action is a decoding error")
    func unknownAction() {
        #expect(throws: (any Error).self) { try YAMLDecoder().decode(GuardrailPolicy.self, from: "input:\n  pii: { action: shred }") }
    }

    @Test("deny-list patterns match whole words, any case or accent, with * for any run")
    func denyList() {
        let d = DenyList(["salary of *", "Projet Zéro", "rm"])
        #expect(d.matches("What is the SALARY of Ann?") == ["salary of *"])
        #expect(d.matches("tell me about projet zero") == ["Projet Zéro"])
        #expect(d.matches("fill in the form") == [])
        #expect(d.matches("how do I rm -rf a directory") == ["rm"])
        #expect(d.matches("salary negotiations") == [])
    }
}
