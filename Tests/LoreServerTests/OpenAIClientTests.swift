import Foundation
import LoreTestSupport
import Testing

/// The official `openai` Python SDK against a Lore server (in process, on loopback): what tools built on it see.
/// The client script is `Tests/Fixtures/clients/openai_client_check.py`; it runs with the
/// venv `scripts/api-clients --install-only` makes (scripts/test installs it, so a missing
/// venv fails this test rather than skipping it).
@Suite("lore serve: the official OpenAI Python SDK")
struct OpenAIClientTests {
    static var python: String { TestPaths.repositoryRoot + "/.cache/api-clients-venv/bin/python" }
    static var script: String { TestPaths.repositoryRoot + "/Tests/Fixtures/clients/openai_client_check.py" }

    @Test(
        "chat completions (whole and streamed, citations from the lore extension), models and embeddings (float and base64, equal to lore embed) through the SDK"
    )
    func openAISDK() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.python), "no \(Self.python): run scripts/api-clients --install-only")
        // A server that requires keys, and a key made by lore keys create: as a tool would use it.
        let keyed = try await KeyedServe.shared.get()
        let r = try await runProcess(
            Self.python, [Self.script, keyed.server.url, TestPaths.loreBinary, keyed.store.database],
            environment: ProcessInfo.processInfo.environment.merging(["OPENAI_API_KEY": keyed.reader.text]) { $1 })
        let summary = try #require(
            try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
            "no summary (exit \(r.status)): \(r.stdout)\n\(r.stderr)")
        #expect(r.status == 0, "failed checks \(summary["failed"] ?? ""): \(r.stdout)")
        #expect((summary["failed"] as? [String])?.isEmpty == true)
        #expect((summary["openai_version"] as? String)?.isEmpty == false)

        let chat = try #require(summary["chat"] as? [String: Any])
        #expect((chat["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        #expect(chat["finish_reason"] as? String == "stop")
        #expect((chat["citations"] as? Int ?? 0) > 0)
        #expect((chat["cited_sources"] as? [String])?.contains { $0.hasSuffix("sqlite-wal-mode.txt") } == true, "\(chat)")
        #expect(chat["ignored_system_messages"] as? Int == 1)

        let stream = try #require(summary["stream"] as? [String: Any])
        #expect((stream["content_chunks"] as? Int ?? 0) >= 1)
        #expect((stream["citations"] as? Int ?? 0) > 0)
        #expect((stream["text"] as? String)?.isEmpty == false)

        let models = try #require((summary["models"] as? [String: Any])?["ids"] as? [String])
        #expect(
            Set(["lore-default", "lore-answer-v1", "lore-answer-v2", "lore-extractive", "all-MiniLM-L6-v2", "lore-embed"]).isSubset(
                of: Set(models)))

        let errors = try #require(summary["errors"] as? [String: Any])
        #expect((errors["unknown_model"] as? [String: Any])?["status"] as? Int == 404)
        #expect((errors["n"] as? [String: Any])?["status"] as? Int == 400)

        let embeddings = try #require(summary["embeddings"] as? [String: Any])
        #expect(embeddings["dimensions"] as? Int == 384)
        #expect((embeddings["max_abs_difference"] as? Double ?? 1) <= 1e-5)
        #expect((embeddings["prompt_tokens"] as? Int ?? 0) > 0)
    }
}
