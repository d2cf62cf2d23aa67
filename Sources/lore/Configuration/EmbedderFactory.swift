import LoreCore
import LoreEmbed

/// Chooses the embedder from the configuration: the composition root's one place for it.
enum EmbedderFactory {
    static let kinds = ["minilm", "none"]

    static func make(_ config: LoreConfiguration) throws -> (any Embedder)? {
        switch config.embedder {
        case "none": return nil
        default: return try MiniLMEmbedder(modelDirectory: config.modelDirectory())
        }
    }
}
