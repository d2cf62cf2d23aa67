import ArgumentParser
import Foundation
import LoreCore
import LoreEmbed
import LoreEmbedHTTP

/// Options that choose the embedder, shared by the commands that embed.
struct EmbedderOptions: ParsableArguments {
    @Option(name: .long, help: "Embedder: minilm (in process, the default), openai-compatible, or none (ingest without vectors).")
    var embedder: String?

    @Option(name: .long, help: "Base URL of the OpenAI-compatible embeddings server (configuration: openai_embedder.base_url).")
    var embedderURL: String?

    @Option(name: .long, help: "Model name sent to the embeddings server (configuration: openai_embedder.model).")
    var embedderModel: String?

    @Option(name: .long, help: "Environment variable holding the embeddings server's API key.")
    var embedderAPIKeyEnv: String?

    /// Applies the flags to the configuration.
    func apply(to config: inout LoreConfiguration) throws {
        if let embedder { config.embedder = embedder }
        if let embedderURL { config.openAIEmbedder.baseURL = embedderURL }
        if let embedderModel { config.openAIEmbedder.model = embedderModel }
        if let embedderAPIKeyEnv { config.openAIEmbedder.apiKeyEnv = embedderAPIKeyEnv }
        try config.validate()
    }
}

/// Chooses the embedder from the configuration: the composition root's one place for it.
enum EmbedderFactory {
    static let kinds = ["minilm", "openai-compatible", "none"]

    static func make(_ config: LoreConfiguration) async throws -> (any Embedder)? {
        switch config.embedder {
        case "none":
            return nil
        case "openai-compatible":
            let o = config.openAIEmbedder
            guard let base = o.baseURL, !base.isEmpty else {
                throw ValidationError("the openai-compatible embedder needs a base URL: --embedder-url or openai_embedder.base_url")
            }
            guard let model = o.model, !model.isEmpty else {
                throw ValidationError("the openai-compatible embedder needs a model name: --embedder-model or openai_embedder.model")
            }
            let configuration = OpenAIEmbedderConfiguration(
                baseURL: base, model: model, apiKeyEnvironmentVariable: o.apiKeyEnv, batchSize: o.batchSize,
                concurrency: o.concurrency, timeout: .milliseconds(Int64(o.timeoutSeconds * 1000)), maxRetries: o.maxRetries,
                dimension: o.dimension)
            do { return try await OpenAICompatibleEmbedder.connect(configuration) } catch let e as EmbeddingServiceError {
                throw CommandFailure(description: e.description)
            }
        default:
            return try MiniLMEmbedder(modelDirectory: config.modelDirectory())
        }
    }
}
