import Foundation

/// The answer writers (`generation:` in the configuration): the default backend and the
/// OpenAI-compatible chat-completions backends.
struct GenerationSettings: Codable, Equatable {
    /// `extractive` (embedded, no LLM) or the name of a configured backend.
    var backend = "extractive"

    init() {}
}
