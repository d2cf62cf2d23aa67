import ArgumentParser
import LoreApp

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
