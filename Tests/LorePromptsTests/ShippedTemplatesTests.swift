import Foundation
import LoreCore
import LorePrompts
import LoreTestSupport
import Testing

@Suite("the templates shipped in prompts/")
struct ShippedTemplatesTests {
    let directory = TestPaths.repositoryRoot + "/prompts"

    private func registry() throws -> PromptRegistry {
        try PromptRegistry.load(
            directory: directory, defaults: ["answer": "v1", "condense": "v1"], splits: ["answer": ["v1": 90, "v2": 10]])
    }

    @Test("they all load: answer v1 and v2, condense v1")
    func load() throws {
        let r = try registry()
        #expect(r.versions(of: "answer").starts(with: ["v1", "v2"]))
        #expect(r.versions(of: "condense").first == "v1")
        #expect(try r.template("answer").version == "v1")
    }

    @Test("every one renders, with the question and its inputs in the user message")
    func render() throws {
        for t in try registry().all {
            var values: [String: String] = [:]
            for v in t.variables { values[v] = "VALUE-OF-\(v.uppercased())" }
            let m = try t.render(values)
            #expect(m.first?.role == .system, "\(t.reference)")
            #expect(m.last?.role == .user, "\(t.reference)")
            for v in t.requiredVariables {
                #expect(m.last!.content.contains("VALUE-OF-\(v.uppercased())"), "\(t.reference) \(v)")
            }
            #expect(!m.contains { $0.content.contains("{{") || $0.content.contains("}}") }, "\(t.reference)")
            #expect(t.contextTokens > 0 && (t.parameters.maxTokens ?? 0) > 0 && t.parameters.temperature != nil)
        }
    }

    @Test("answer templates say: only the numbered sources, cite as [n], else say you do not know; sources come before the question")
    func answerInstructions() throws {
        let r = try registry()
        for v in r.versions(of: "answer") {
            let t = try r.template(name: "answer", version: v)
            let m = try t.render(["question": "QQQ", "context": "CCC"])
            let system = m[0].content.lowercased()
            #expect(
                system.contains("only") && system.contains("numbered sources") && system.contains("[1]") && system.contains("don't know"),
                "\(v)")
            let user = m.last!.content
            #expect(user.range(of: "CCC")!.lowerBound < user.range(of: "Question: QQQ")!.lowerBound, "\(v)")
        }
    }

    @Test("answer v1 and v2 differ where an evaluation sees it: length budget, temperature and instructions")
    func versionsDiffer() throws {
        let r = try registry()
        let v1 = try r.template("answer@v1"), v2 = try r.template("answer@v2")
        #expect((v2.parameters.maxTokens ?? .max) < (v1.parameters.maxTokens ?? 0))
        #expect((v2.parameters.temperature ?? 1) <= (v1.parameters.temperature ?? 0))
        let values = ["question": "q", "context": "c"]
        #expect(try v1.render(values) != v2.render(values))
        #expect(v1.sha256 != v2.sha256)
        #expect(try v2.render(values)[0].content.lowercased().contains("one sentence"))
    }

    @Test("condense asks for a standalone question, with a low temperature, few tokens and a stop on newline")
    func condense() throws {
        let t = try registry().template("condense")
        let m = try t.render(["question": "And its size?", "history": "User: What is the WAL?\nAssistant: A log [1]."])
        #expect(m.last!.content.hasSuffix("Standalone question:"))
        #expect(m.last!.content.contains("User: What is the WAL?"))
        #expect(t.parameters.stop.contains("\n"))
        #expect((t.parameters.temperature ?? 1) <= 0.2 && (t.parameters.maxTokens ?? 1000) <= 64)
    }

    @Test("the hash is the SHA-256 of the file bytes, as sha256sum computes it; the short form is its first 12 digits")
    func hashes() throws {
        for t in try registry().all {
            let out = try runProcess("/usr/bin/sha256sum", [t.path]).stdout
            #expect(t.sha256 == String(out.prefix(64)))
            #expect(t.hash == String(t.sha256.prefix(12)) && t.hash.count == 12)
            #expect(t.identity == PromptIdentity(name: t.name, version: t.version, hash: t.hash, sha256: t.sha256))
            #expect(t.identity.description == "\(t.name)@\(t.version)#\(t.hash)")
        }
    }

    @Test("the diff of answer v1 and v2 shows the changed version line")
    func diff() throws {
        let r = try registry()
        let a = try r.template("answer@v1"), b = try r.template("answer@v2")
        let d = LineDiff.unified(a.source, b.source, oldLabel: "answer@v1", newLabel: "answer@v2")
        #expect(d.hasPrefix("--- answer@v1\n+++ answer@v2\n@@ -1,"))
        #expect(d.contains("\n-version: v1\n") && d.contains("\n+version: v2\n"))
    }
}

@Suite("content hashes")
struct HashTests {
    @Test("the hash changes when the file changes, and comes back when the change is undone")
    func changes() throws {
        let f = PromptsFixture()
        let original = templateText()
        f.write("answer", "v1", original)
        let h1 = try f.load().template("answer").sha256
        f.write("answer", "v1", original.replacingOccurrences(of: "Use the sources.", with: "Use the sources!"))
        let h2 = try f.load().template("answer").sha256
        f.write("answer", "v1", original)
        let h3 = try f.load().template("answer").sha256
        #expect(h1 != h2)
        #expect(h1 == h3)
        #expect(h1.count == 64 && h1.allSatisfy(\.isHexDigit))
    }
}
