import Foundation
import LoreCore
import LoreOps
import LoreTestSupport
import Testing

/// Thompson sampling over prompt versions (`prompts.bandit: thompson`): the sampler, then
/// over HTTP, users' ratings moving the split's weights towards the version rated better.
@Suite("prompt bandit (Thompson sampling)")
struct PromptBanditTests {
    @Test(
        "the posterior draws: Beta's mean is right; a clearly better arm is best in nearly every draw, equal arms split evenly; the floor keeps every arm"
    )
    func sampler() {
        var g = SeededRandom(seed: 7)
        let draws = (0..<20_000).map { _ in PromptBandit.beta(3, 7, using: &g) }
        #expect(abs(draws.reduce(0, +) / Double(draws.count) - 0.3) < 0.01, "Beta(3, 7) has mean 0.3")
        let clear = PromptBandit.probabilityBest([(30, 0), (0, 30)], draws: 20_000, using: &g)
        #expect(clear[0] > 0.999, "\(clear)")
        let even = PromptBandit.probabilityBest([(5, 5), (5, 5)], draws: 20_000, using: &g)
        #expect(abs(even[0] - 0.5) < 0.03, "\(even)")
        let three = PromptBandit.probabilityBest([(1, 0), (0, 0), (0, 1)], draws: 20_000, using: &g)
        #expect(abs(three.reduce(0, +) - 1) < 1e-9 && three[0] > three[1] && three[1] > three[2], "\(three)")
        let floored = PromptBandit.floored([1, 0], floor: 0.05)
        #expect(abs(floored[0] - 0.95) < 1e-12 && abs(floored[1] - 0.05) < 1e-12, "\(floored)")
    }

    @Test(
        "over HTTP: answers rated through POST /v1/feedback, v1 good and v2 bad, move the answer split from even towards v1 for new users; bad settings are refused naming the key"
    )
    func ratingsMoveTheSplit() async throws {
        let store = try await KeyedStore()
        let config = store.directory.write(
            "lore.yaml", "prompts:\n  splits: {answer: {v1: 1, v2: 1}}\n  bandit: thompson\n  bandit_floor: 0.05\n")
        let server = try await LoreServe(["--config", config], database: store.database)
        let bandit = try #require(server.composition.bandit)
        func versions(_ users: Range<Int>, rate: Bool) async throws -> [String: Int] {
            var seen: [String: Int] = [:]
            for i in users {
                let id = "bandit-\(i)"
                let r = try await server.post(
                    "/v1/query", #"{"question": "What does WAL mode let readers do?", "user": "user-\#(i)"}"#, headers: ["X-Request-ID": id]
                )
                #expect(r.status == 200, "\(r.body)")
                let version = (r.json?["prompt"] as? [String: Any])?["version"] as? String ?? "?"
                seen[version, default: 0] += 1
                if rate {
                    let rating = version == "v1" ? 1 : -1
                    let f = try await server.post("/v1/feedback", #"{"request_id": "\#(id)", "rating": \#(rating)}"#)
                    #expect(f.status == 200, "\(f.body)")
                }
            }
            return seen
        }
        // No ratings yet: the versions share equally.
        let before = try await versions(0..<40, rate: true)
        #expect((before["v1"] ?? 0) >= 8 && (before["v2"] ?? 0) >= 8, "\(before)")
        let weights = bandit.refresh()["answer"] ?? [:]
        #expect((weights["v1"] ?? 0) >= 9_000 && (weights["v2"] ?? 0) >= 400, "v1 near 95%, v2 at the 5% floor: \(weights)")
        let after = try await versions(40..<100, rate: false)
        #expect((after["v1"] ?? 0) >= 48, "new users mostly get v1: \(after)")
        let metrics = try await server.get("/metrics").body
        #expect(metrics.contains(#"lore_prompt_bandit_share{prompt="answer",version="v1"}"#), "\(metrics.prefix(300))")

        for (yaml, key) in [
            ("prompts:\n  bandit: thompson\n", "prompts.bandit"),
            ("prompts:\n  splits: {answer: {v1: 1, v2: 1}}\n  bandit: thompson\n  bandit_floor: 0.5\n", "prompts.bandit_floor"),
            ("prompts:\n  splits: {answer: {v1: 1, v2: 1}}\n  bandit: greedy\n", "prompts.bandit")
        ] {
            do {
                _ = try await LoreServe(["--config", store.directory.write("bad.yaml", yaml)], database: store.database)
                Issue.record("\(yaml) was accepted")
            } catch {
                #expect("\(error)".contains(key), "\(yaml): \(error)")
            }
        }
    }
}
