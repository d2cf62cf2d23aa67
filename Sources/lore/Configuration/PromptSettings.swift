import Foundation

/// The prompt templates (`prompts:` in the configuration).
/// Owned by the prompts work: directory, default version per name, A/B splits.
struct PromptSettings: Codable, Equatable {
    /// Where the templates live (`prompts/<name>/<version>.md`).
    var directory = "prompts"

    init() {}
}
