import Foundation
import Logging
import LoreCore
import LoreEmbed
import LoreEmbedHTTP
import Metrics

/// Chooses the embedder from the configuration: the composition root's one place for it.
public enum EmbedderFactory {
    public static let kinds = ["minilm", "openai-compatible", "none"]

    public static func make(_ config: LoreConfiguration) async throws -> (any Embedder)? {
        switch config.embedder {
        case "none":
            return nil
        case "openai-compatible":
            let o = config.openAIEmbedder
            guard let base = o.baseURL, !base.isEmpty else {
                throw ConfigurationError(
                    description: "the openai-compatible embedder needs a base URL: --embedder-url or openai_embedder.base_url")
            }
            guard let model = o.model, !model.isEmpty else {
                throw ConfigurationError(
                    description: "the openai-compatible embedder needs a model name: --embedder-model or openai_embedder.model")
            }
            let configuration = OpenAIEmbedderConfiguration(
                baseURL: base, model: model, apiKeyEnvironmentVariable: o.apiKeyEnv, batchSize: o.batchSize,
                concurrency: o.concurrency, timeout: .milliseconds(Int64(o.timeoutSeconds * 1000)), maxRetries: o.maxRetries,
                dimension: o.dimension)
            do { return try await OpenAICompatibleEmbedder.connect(configuration) } catch let e as EmbeddingServiceError {
                throw CommandFailure(description: e.description)
            }
        default:
            let embedder: MiniLMEmbedder
            do { embedder = try MiniLMEmbedder(modelDirectory: config.modelDirectory()) } catch let e as EncoderKernel.KernelError {
                throw ConfigurationError(description: e.description)
            }
            // Which kernel runs the encoder: in the log (info) and in /metrics (`lore_encoder_kernel{kernel="bf16"} 1`).
            Logger(label: "lore.embed").info(
                "in-process encoder loaded", metadata: ["model": "\(embedder.modelID)", "kernel": "\(embedder.kernel)"])
            Gauge(label: "lore_encoder_kernel", dimensions: [("kernel", embedder.kernel.rawValue)]).record(1)
            return embedder
        }
    }
}
