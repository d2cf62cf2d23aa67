import Foundation
import Logging
import LoreCore
import LoreGenerate

/// Chooses the generation backend from the configuration: the composition root's one
/// place for it.
public enum GeneratorFactory {
    /// The generator named `name` (by default `settings.backend`): nil for `extractive`
    /// (built elsewhere, from the embedder), the OpenAI-compatible client for a configured
    /// backend, or a `BackendPool` over all of them for `pool`.
    public static func make(
        _ settings: GenerationSettings, name: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (any Generator)? {
        let name = name ?? settings.backend
        switch name {
        case GenerationSettings.extractive:
            return nil
        case GenerationSettings.pool:
            guard !settings.backends.isEmpty else {
                throw ConfigurationError(description: "generation.backend is pool, but no generation.backends are configured")
            }
            let cb = settings.circuitBreaker
            return BackendPool(
                name: GenerationSettings.pool, backends: try settings.backends.map { try client($0, environment) },
                policy: CircuitBreakerPolicy(failureThreshold: cb.failures, cooldown: duration(cb.cooldownSeconds)))
        default:
            guard let backend = settings.backends.first(where: { $0.name == name }) else {
                let known =
                    ([GenerationSettings.extractive] + settings.backends.map(\.name)
                        + (settings.backends.isEmpty ? [] : [GenerationSettings.pool]))
                throw ConfigurationError(description: "unknown generation backend \(name): configured are \(known.joined(separator: ", "))")
            }
            return try client(backend, environment)
        }
    }

    /// The OpenAI-compatible client for one configured backend.
    public static func client(_ b: GenerationSettings.Backend, _ environment: [String: String]) throws -> OpenAICompatibleGenerator {
        let configuration = OpenAIGeneratorConfiguration(
            name: b.name, baseURL: b.baseURL, model: b.model, apiKeyEnvironmentVariable: b.apiKeyEnv,
            connectTimeout: duration(b.connectTimeoutSeconds), firstTokenTimeout: duration(b.firstTokenTimeoutSeconds),
            requestTimeout: duration(b.requestTimeoutSeconds), maxRetries: b.maxRetries)
        do {
            return try OpenAICompatibleGenerator(configuration, environment: environment, logger: Logger(label: "lore.generate"))
        } catch {
            throw ConfigurationError(description: "generation backend \(b.name): \(error.message)")
        }
    }

    private static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}
