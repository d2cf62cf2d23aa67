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

    /// The settings these flags give.
    var flags: [String: SettingValue] {
        var f: [String: SettingValue] = [:]
        if let embedder { f["embedder"] = .string(embedder) }
        if let embedderURL { f["openai_embedder.base_url"] = .string(embedderURL) }
        if let embedderModel { f["openai_embedder.model"] = .string(embedderModel) }
        if let embedderAPIKeyEnv { f["openai_embedder.api_key_env"] = .string(embedderAPIKeyEnv) }
        return f
    }
}
