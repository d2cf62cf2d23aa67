import Foundation
import LorePrompts
import Testing

@Suite("selection by name@version, defaults and sticky A/B splits")
struct SelectionTests {
    /// answer v1, v2, v10 and condense v1.
    private func fixture() -> PromptsFixture {
        let f = PromptsFixture()
        for v in ["v1", "v2", "v10"] { f.write("answer", v, templateText(version: v, description: "answer \(v)")) }
        f.write(
            "condense", "v1", templateText(name: "condense", variables: "[question, history]", body: "[user]\n{{history}}\n{{question}}"))
        return f
    }

    private func keys(_ n: Int) -> [String] { (0..<n).map { "user-\($0)" } }

    @Test("name@version picks that version; a plain name the configured default, else the lowest version")
    func byReference() throws {
        let f = fixture()
        let r = try f.load()
        #expect(r.versions(of: "answer") == ["v1", "v2", "v10"])
        #expect(try r.template("answer@v2").version == "v2")
        #expect(try r.template("answer@v10").description == "answer v10")
        #expect(try r.template("answer").version == "v1")
        let configured = try f.load(defaults: ["answer": "v10"])
        #expect(try configured.template("answer").version == "v10")
        #expect(try configured.select("answer", key: "someone").version == "v10")
        #expect(try configured.template(name: "answer").version == "v10")
    }

    @Test("unknown names and versions are errors listing what exists")
    func unknown() throws {
        let r = try fixture().load()
        #expect(throws: PromptError.unknownName("answr", available: ["answer@v1", "answer@v2", "answer@v10", "condense@v1"])) {
            try r.template("answr@v1")
        }
        #expect(throws: PromptError.unknownVersion(name: "answer", version: "v3", available: ["answer@v1", "answer@v2", "answer@v10"])) {
            try r.select("answer@v3", key: "k")
        }
        let e = PromptError.unknownVersion(name: "answer", version: "v3", available: ["answer@v1", "answer@v2"])
        #expect(e.description.contains("answer@v3") && e.description.contains("answer@v1, answer@v2"))
        for bad in ["", "@v1", "answer@", "answer@v1@x", "an swer"] {
            #expect(throws: PromptError.invalidReference(bad)) { try r.template(bad) }
        }
    }

    @Test("defaults and splits must name existing versions, with non-negative weights adding up to more than 0")
    func badConfiguration() throws {
        let f = fixture()
        #expect(throws: PromptError.self) { try f.load(defaults: ["answer": "v3"]) }
        do { _ = try f.load(defaults: ["answer": "v3"]) } catch let e as PromptError {
            guard case .invalidConfiguration(let key, let message) = e else { Issue.record("\(e)"); return }
            #expect(key == "defaults.answer")
            #expect(message.contains("answer@v1"))
        }
        #expect(
            throws: PromptError.invalidConfiguration(
                key: "defaults.summary", message: "no prompt named summary (available: answer, condense)")
        ) {
            try f.load(defaults: ["summary": "v1"])
        }
        #expect(throws: PromptError.self) { try f.load(splits: ["answer": ["v1": 50, "v7": 50]]) }
        #expect(throws: PromptError.self) { try f.load(splits: ["answer": ["v1": 0, "v2": 0]]) }
        #expect(throws: PromptError.self) { try f.load(splits: ["answer": ["v1": 110, "v2": -10]]) }
        #expect(throws: PromptError.self) { try f.load(splits: ["nothing": ["v1": 1]]) }
    }

    @Test("a 90/10 split over 10,000 keys gives shares within 1.5 points of the weights")
    func weights() throws {
        let r = try fixture().load(splits: ["answer": ["v1": 90, "v2": 10]])
        var counts: [String: Int] = [:]
        for k in keys(10_000) { counts[try r.select("answer", key: k).version, default: 0] += 1 }
        #expect(Set(counts.keys) == ["v1", "v2"])
        let share = Double(counts["v2"] ?? 0) / 10_000
        #expect(abs(share - 0.10) < 0.015, "v2 share \(share)")
    }

    @Test("a three-way split follows its weights too")
    func threeWay() throws {
        let r = try fixture().load(splits: ["answer": ["v1": 50, "v2": 30, "v10": 20]])
        var counts: [String: Int] = [:]
        for k in keys(10_000) { counts[try r.select("answer", key: k).version, default: 0] += 1 }
        for (v, w) in [("v1", 0.5), ("v2", 0.3), ("v10", 0.2)] {
            #expect(abs(Double(counts[v] ?? 0) / 10_000 - w) < 0.02, "\(v): \(counts[v] ?? 0)")
        }
    }

    @Test("the same key gets the same version within a registry and across reloads, even after a template's text changes")
    func sticky() throws {
        let f = fixture()
        let splits = ["answer": ["v1": 50, "v2": 50]]
        let first = try f.load(splits: splits)
        let before = try keys(2_000).map { try first.select("answer", key: $0).version }
        #expect(try keys(2_000).map { try first.select("answer", key: $0).version } == before)
        f.write("answer", "v2", templateText(version: "v2", description: "answer v2, edited"))
        let second = try f.load(splits: splits)
        #expect(try keys(2_000).map { try second.select("answer", key: $0).version } == before)
        // Both sides are really in use (stickiness is not "everyone gets v1").
        #expect(Set(before) == ["v1", "v2"])
    }

    @Test("a 100/0 split never picks the 0 side; 0/100 always does")
    func zeroWeight() throws {
        let f = fixture()
        let all = try f.load(splits: ["answer": ["v1": 100, "v2": 0]])
        #expect(try keys(10_000).allSatisfy { try all.select("answer", key: $0).version == "v1" })
        let none = try f.load(splits: ["answer": ["v1": 0, "v2": 100]])
        #expect(try keys(10_000).allSatisfy { try none.select("answer", key: $0).version == "v2" })
    }

    @Test("without a key, or with a pinned version, the split is not consulted")
    func noKeyOrPinned() throws {
        let r = try fixture().load(defaults: ["answer": "v10"], splits: ["answer": ["v1": 50, "v2": 50]])
        #expect(try r.select("answer", key: nil).version == "v10")
        #expect(try r.select("answer", key: "").version == "v10")
        #expect(try keys(200).allSatisfy { try r.select("answer@v10", key: $0).version == "v10" })
        // Names without a split ignore the key.
        #expect(try r.select("condense", key: "user-1").version == "v1")
    }

    @Test("splits of different names are independent: a key's answer and condense assignments are not correlated")
    func independentNames() throws {
        let a = PromptSplit(name: "answer", weights: ["v1": 50, "v2": 50])
        let b = PromptSplit(name: "other", weights: ["v1": 50, "v2": 50])
        let same = keys(4_000).filter { a.version(forKey: $0) == b.version(forKey: $0) }.count
        #expect(abs(Double(same) / 4_000 - 0.5) < 0.05)
    }
}
