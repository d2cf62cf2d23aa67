import Foundation
import LorePrompts
import LoreTestSupport
import Testing

/// `lore prompts ...` through the real binary: the configuration (`prompts:`, `LORE_PROMPTS_DIR`)
/// and the command's output.
@Suite("lore prompts list|show|diff")
struct PromptsCommandTests {
    private func lore(_ args: [String], in dir: TemporaryDirectory, env: [String: String] = [:]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LORE_CONFIG"] = nil
        environment["LORE_PROMPTS_DIR"] = TestPaths.repositoryRoot + "/prompts"
        environment.merge(env) { $1 }
        return try runLore(["prompts"] + args, environment: environment, currentDirectory: dir.path)
    }

    @Test("list --json shows every template with its hash, default and split weight from the configuration")
    func listJSON() throws {
        let dir = TemporaryDirectory()
        dir.write("lore.yaml", "prompts:\n  defaults: {answer: v2}\n  splits:\n    answer: {v1: 70, v2: 30}\n")
        let r = try lore(["list", "--json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let rows = try #require(object?["templates"] as? [[String: Any]])
        let registry = try PromptRegistry.load(directory: TestPaths.repositoryRoot + "/prompts")
        #expect(rows.count == registry.all.count)
        for t in registry.all {
            let row = try #require(rows.first { $0["name"] as? String == t.name && $0["version"] as? String == t.version })
            #expect(row["hash"] as? String == t.hash && row["sha256"] as? String == t.sha256)
            #expect(row["default"] as? Bool == (t.reference == "answer@v2" || t.reference == "condense@v1"))
            if t.name == "answer" {
                #expect(row["split_weight"] as? Int == (t.version == "v1" ? 70 : t.version == "v2" ? 30 : 0))
            } else {
                #expect(row["split_weight"] == nil)
            }
        }
    }

    @Test("a broken template stops the command with every problem as path:line: message")
    func broken() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("p/answer/v1.md", templateText(body: "[user]\n{{context}} {{question}} {{questoin}}"))
        let other = dir.write(
            "p/condense/v1.md", templateText(name: "condense", variables: "[question, history]", body: "[user]\n{{question}}\n{{history"))
        let r = try lore(["list"], in: dir, env: ["LORE_PROMPTS_DIR": dir.path + "/p"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(path):12: unknown variable questoin"))
        #expect(r.stderr.contains("\(other):13: unclosed {{"))
    }

    @Test("a default naming a version that does not exist is a configuration error naming the key")
    func badDefault() throws {
        let dir = TemporaryDirectory()
        dir.write("lore.yaml", "prompts:\n  defaults: {answer: v9}\n")
        let r = try lore(["list"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("prompts.defaults.answer") && r.stderr.contains("answer@v1"))
    }

    @Test("show prints the file; --render renders it with --var values; unknown versions list what exists")
    func show() throws {
        let dir = TemporaryDirectory()
        let t = try PromptRegistry.load(directory: TestPaths.repositoryRoot + "/prompts").template("answer@v2")
        let plain = try lore(["show", "answer@v2"], in: dir)
        #expect(plain.status == 0 && plain.stdout.contains(t.source) && plain.stdout.contains(t.sha256))
        let rendered = try lore(["show", "answer@v2", "--render", "--var", "question=What is XYZZY?"], in: dir)
        #expect(rendered.status == 0)
        #expect(rendered.stdout.contains("[system]\n") && rendered.stdout.contains("Question: What is XYZZY?"))
        #expect(!rendered.stdout.contains("{{"))
        let missing = try lore(["show", "answer@v9"], in: dir)
        #expect(missing.status != 0 && missing.stderr.contains("answer@v1, answer@v2"))
    }

    @Test("diff prints a unified diff of two versions, and nothing for a template against itself")
    func diff() throws {
        let dir = TemporaryDirectory()
        let r = try lore(["diff", "answer@v1", "answer@v2"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("--- answer@v1 ") && r.stdout.contains("\n+++ answer@v2 ") && r.stdout.contains("\n-version: v1\n"))
        let same = try lore(["diff", "answer@v1", "answer"], in: dir)
        #expect(same.status == 0 && same.stdout.isEmpty)
    }
}
