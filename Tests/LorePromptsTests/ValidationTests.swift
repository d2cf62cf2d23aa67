import Foundation
import LorePrompts
import LoreTestSupport
import Testing

@Suite("template validation: every problem names the file and the line")
struct ValidationTests {
    /// Writes one answer template with `body` and returns (path, problems).
    private func problems(body: String, variables: String = "[question, context]") -> (String, [PromptProblem]) {
        let f = PromptsFixture()
        let path = f.write("answer", "v1", templateText(variables: variables, body: body))
        return (path, f.problems())
    }

    @Test("a valid template loads (the baseline every broken variant departs from)")
    func baseline() throws {
        let f = PromptsFixture()
        f.write("answer", "v1", templateText())
        let t = try f.load().template("answer@v1")
        #expect(t.variables == ["question", "context"])
        #expect(t.contextTokens == 100)
        #expect(t.parameters.maxTokens == 50)
        #expect(t.parameters.temperature == 0.1)
    }

    @Test("an unclosed {{ is reported on its line")
    func unclosedTag() {
        let (path, p) = problems(body: "[system]\nUse the sources.\n[user]\n{{question}}\nQuestion: {{context}} {{question")
        #expect(has(p, path, line: 15, "unclosed {{"))
        #expect(p.count == 1)
    }

    @Test("a stray }} is reported on its line")
    func strayClose() {
        let (path, p) = problems(body: "[system]\nUse }} the sources.\n[user]\n{{context}}\nQuestion: {{question}}")
        #expect(has(p, path, line: 12, "unmatched }}"))
    }

    @Test("a mismatched closing section names both lines")
    func mismatchedSection() {
        let (path, p) = problems(
            body: "[system]\n{{#context}}\nUse the sources.\n{{/question}}\n[user]\n{{context}}\nQuestion: {{question}}")
        #expect(has(p, path, line: 14, "{{/question}} does not match {{#context}} opened at line 12"))
    }

    @Test("a section left open at a header or at the end is reported where it opens")
    func unclosedSection() {
        let (path, p) = problems(
            body: "[system]\n{{#context}}\nUse the sources.\n[user]\n{{context}}\n{{#question}}\nQuestion: {{question}}")
        #expect(has(p, path, line: 12, "{{#context}} is not closed"))
        #expect(has(p, path, line: 16, "{{#question}} is not closed"))
    }

    @Test("a closing section with nothing open is reported")
    func closeWithoutOpen() {
        let (path, p) = problems(body: "[system]\nUse the sources.\n[user]\n{{/context}}\n{{context}}\nQuestion: {{question}}")
        #expect(has(p, path, line: 14, "closes no open section"))
    }

    @Test("an unknown section header is reported on its line")
    func unknownHeader() {
        let (path, p) = problems(body: "[sytem]\nUse the sources.\n[user]\n{{context}}\nQuestion: {{question}}")
        #expect(has(p, path, line: 11, "unknown section header [sytem]"))
    }

    @Test("text before the first header is reported on its line")
    func textBeforeHeader() {
        let (path, p) = problems(body: "\nUse the sources.\n[system]\nBe brief.\n[user]\n{{context}}\nQuestion: {{question}}")
        #expect(has(p, path, line: 12, "text before the first section header"))
    }

    @Test("a malformed tag is reported on its line")
    func badTag() {
        let (path, p) = problems(body: "[system]\nUse the sources.\n[user]\n{{context}}\nQuestion: {{question}} {{two words}}")
        #expect(has(p, path, line: 15, "invalid tag {{two words}}"))
    }

    @Test("an undeclared variable is an unknown variable, on the line it is used")
    func unknownVariable() {
        let (path, p) = problems(body: "[system]\nUse the sources.\n[user]\n{{context}}\nQuestion: {{questoin}} {{question}}")
        #expect(has(p, path, line: 15, "unknown variable questoin"))
        let (path2, p2) = problems(body: "[system]\n{{#history}}\nEarlier: ...\n{{/history}}\n[user]\n{{context}}\nQuestion: {{question}}")
        #expect(has(p2, path2, line: 12, "unknown variable history"))
    }

    @Test("a required variable not declared is missing, on the variables line")
    func requiredNotDeclared() {
        let (path, p) = problems(body: "[system]\nUse the sources.\n[user]\nQuestion: {{question}}", variables: "[question]")
        #expect(has(p, path, line: 5, "missing required variable context"))
    }

    @Test("a required variable declared but never used is missing, on its declaration's line")
    func requiredNotUsed() {
        let f = PromptsFixture()
        let text = templateText(variables: "", body: "[system]\nUse the sources.\n[user]\nQuestion: {{question}}")
            .replacingOccurrences(of: "variables: \n", with: "variables:\n  - question\n  - context\n")
        let path = f.write("answer", "v1", text)
        // Lines: 5 variables:, 6 - question, 7 - context.
        #expect(has(f.problems(), path, line: 7, "missing required variable context"))
    }

    @Test("the condense prompt requires question and history")
    func condenseRequirements() {
        let f = PromptsFixture()
        let path = f.write("condense", "v1", templateText(name: "condense", variables: "[question]", body: "[user]\n{{question}}"))
        #expect(has(f.problems(), path, line: 5, "missing required variable history"))
    }

    @Test("a declared variable that is never used is reported")
    func declaredUnused() {
        let (path, p) = problems(
            body: "[system]\nUse the sources.\n[user]\n{{context}}\nQuestion: {{question}}", variables: "[question, context, history]")
        #expect(has(p, path, line: 5, "variable history is declared but never used"))
    }

    @Test("invalid YAML in the front matter is reported on the file line of the fault")
    func badYAML() {
        let f = PromptsFixture()
        let path = f.write("answer", "v1", templateText(description: "[unclosed"))
        let p = f.problems()
        #expect(has(p, path, line: 4, "invalid front matter: while parsing a flow sequence opened here"))
        #expect(p.count == 1)
        let f1 = PromptsFixture()
        let path1 = f1.write("answer", "v1", templateText(description: "\"unclosed quote"))
        #expect(has(f1.problems(), path1, line: 4, "quoted scalar opened here"))
        let f3 = PromptsFixture()
        let path3 = f3.write("answer", "v1", templateText(extra: ["  : nothing"]))
        #expect(has(f3.problems(), path3, line: 10, "invalid front matter"))
        let f2 = PromptsFixture()
        let path2 = f2.write("answer", "v1", templateText(extra: ["  max_tokens: 60"]))
        #expect(has(f2.problems(), path2, line: 10, "duplicated key max_tokens"))
    }

    @Test("a missing front-matter field is reported at the front matter's first line")
    func missingField() {
        let f = PromptsFixture()
        let path = f.write("answer", "v1", templateText().replacingOccurrences(of: "context_tokens: 100\n", with: ""))
        #expect(has(f.problems(), path, line: 1, "missing front-matter field context_tokens"))
    }

    @Test("fields of the wrong type are reported on their lines")
    func wrongTypes() {
        let f = PromptsFixture()
        let path = f.write("answer", "v1", templateText(variables: "question", contextTokens: "-5", temperature: "hot", maxTokens: "2.5"))
        let p = f.problems()
        #expect(has(p, path, line: 5, "variables must be a list"))
        #expect(has(p, path, line: 6, "context_tokens must be a positive integer"))
        #expect(has(p, path, line: 8, "temperature must be a number"))
        #expect(has(p, path, line: 9, "max_tokens must be a positive integer"))
    }

    @Test("unknown front-matter fields and parameters are reported on their lines")
    func unknownFields() {
        let f = PromptsFixture()
        let path = f.write("answer", "v1", templateText(extra: ["  top_p: 0.9", "author: me"]))
        let p = f.problems()
        #expect(has(p, path, line: 10, "unknown parameter top_p"))
        #expect(has(p, path, line: 11, "unknown front-matter field author"))
    }

    @Test("a file without front matter, or with it unclosed, is reported at line 1")
    func noFrontMatter() {
        let f = PromptsFixture()
        let a = f.write("answer", "v1", "[system]\nHello\n[user]\n{{question}} {{context}}\n")
        let b = f.write("answer", "v2", "---\nname: answer\nversion: v2\n[user]\n{{question}}\n")
        let p = f.problems()
        #expect(has(p, a, line: 1, "missing front matter"))
        #expect(has(p, b, line: 1, "never closed"))
    }

    @Test("name and version must match the path")
    func pathMismatch() {
        let f = PromptsFixture()
        let path = f.write("answer", "v2", templateText(name: "answers", version: "v1"))
        let p = f.problems()
        #expect(has(p, path, line: 2, "name answers does not match the directory answer/"))
        #expect(has(p, path, line: 3, "version v1 does not match the file name v2.md"))
    }

    @Test("one error lists every problem of every file; a good file does not hide a broken one")
    func allProblemsAtOnce() {
        let f = PromptsFixture()
        f.write("answer", "v1", templateText())
        let a = f.write("answer", "v2", templateText(version: "v2", body: "[user]\n{{context}} {{question}} {{nope}}"))
        let b = f.write(
            "condense", "v1",
            templateText(name: "condense", version: "v9", variables: "[question, history]", body: "[user]\n{{question}} {{history}}"))
        let p = f.problems()
        #expect(p.count == 2)
        #expect(has(p, a, line: 12, "unknown variable nope"))
        #expect(has(p, b, line: 3, "version v9 does not match"))
    }

    @Test("an empty or missing directory is an error, not an empty registry")
    func emptyDirectory() {
        let f = PromptsFixture()
        #expect(f.problems().first?.message.contains("no templates") == true)
        #expect(throws: PromptLoadError.self) { try PromptRegistry.load(directory: f.tmp.path + "/nowhere") }
    }

    @Test("files that are not templates are ignored: a README at the top, non-.md files")
    func ignoredFiles() throws {
        let f = PromptsFixture()
        f.write("answer", "v1", templateText())
        f.tmp.write("prompts/README.md", "# not a template {{")
        f.tmp.write("prompts/answer/notes.txt", "{{ nothing")
        #expect(try f.load().references == ["answer@v1"])
    }
}
