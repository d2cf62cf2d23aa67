import Foundation
import Logging
import LoreCore
import LoreEmbed
import LoreGuardrails
import LoreIndex
import LoreOps
import LorePrompts
import LoreQuery
import LoreRetrieval
import LoreStore

/// Builds the query pipeline from the configuration: the composition root's one place
/// where the store, index, embedder, prompts and generation backends meet.
public enum QueryServiceFactory {
    /// What a front needs to answer questions over one collection.
    public struct Pipeline {
        public let service: QueryService
        public let store: Store
        public let collection: String
        public let collectionID: Int64
        /// Retrieval defaults from the configuration (flags override them per query).
        public let defaults: RetrievalOptions
        /// True when the collection has no vectors and queries are lexical only.
        public let lexicalOnly: Bool
    }

    /// - Parameter readOnly: open the store read-only (a published version): nothing is
    ///   written, so guardrail audit records are not kept (findings are still logged and counted).
    /// - Parameter reusing: an embedder already loaded with this configuration (a replica's
    ///   previous version): used instead of loading the weights again.
    /// - Parameter requestLog: where answered requests are recorded (nil: nowhere; `lore
    ///   eval` and the benchmarks record nothing), with `indexVersion` (a published version's name).
    /// - Parameter shadow: the shadow candidate that answers a sampled share again (nil: none).
    /// - Parameter canary: the canary that routes a share to a candidate (nil: none).
    /// - Parameter candidates: the pipelines of other index versions the shadow candidate and
    ///   the canary arm run on (a replica's), when they name one.
    /// - Parameter bandit: the bandit whose weights replace the splits' (nil: the configured ones).
    public static func make(
        _ config: LoreConfiguration, collection: String? = nil, readOnly: Bool = false,
        reusing: (any Embedder)? = nil, requestLog: RequestLog? = nil, indexVersion: String? = nil, shadow: ShadowRunner? = nil,
        canary: CanaryController? = nil, candidates: CandidateServices = CandidateServices(), bandit: PromptBandit? = nil
    ) async throws -> Pipeline {
        // Prompts first: Lore refuses to start with a broken template.
        var registry: PromptRegistry
        do { registry = try config.prompts.makeRegistry() } catch {
            throw CommandFailure(description: "\(error)")
        }
        registry.live = bandit?.live
        try config.requireDatabase()
        let store = try Store(path: config.database, readOnly: readOnly)
        let name = collection ?? config.collection
        guard let id = try store.existingCollectionID(named: name) else {
            throw CommandFailure(description: "no collection named \(name) in \(config.database)")
        }
        let manager = IndexManager(store: store, settings: try config.index.settings(), logger: Logger(label: "lore.index"))
        let loaded = try manager.load(collectionID: id)
        var embedder: (any Embedder)? = nil
        // Questions go through the query-vector cache; the extractive answerer's sentences
        // through its own; both share the encoder's batches with other requests in flight
        // (`batching:`). Another collection or version reuses the model, batches and cache.
        var questions: (any Embedder)? = nil
        if loaded != nil {
            let cached = reusing as? QueryVectorCache
            if let reusing {
                embedder = cached?.base ?? reusing
            } else {
                embedder = try await EmbedderFactory.make(config).map(config.batching.wrap)
            }
            let budget = try config.retrieval.queryCacheBytes()
            questions = cached ?? embedder.map { budget > 0 ? QueryVectorCache($0, capacityBytes: budget) : $0 }
        }
        let retriever: Retriever
        do {
            retriever = try Retriever(store: store, collectionID: id, index: loaded, embedder: questions)
        } catch let e as RetrievalError {
            throw CommandFailure(description: "collection \(name): \(e.description)")
        }

        var generators: [String: any Generator] = [:]
        // The extractive answerer ranks sentences with the collection's embedder.
        if let embedder {
            generators["extractive"] = ExtractiveAnswerer(
                embedder: embedder, maxSentences: config.extractive.maxSentences,
                minSimilarity: config.extractive.minSimilarity,
                cache: SentenceVectorCache(capacity: config.extractive.sentenceCache),
                embedLimit: config.extractive.embedLimit,
                stored: config.extractive.sentenceVectors == .ingest ? try StoredSentenceVectors(path: config.database) : nil)
        }
        for backend in config.generation.backendNames {
            if let g = try GeneratorFactory.make(config.generation, name: backend) { generators[backend] = g }
        }
        let backend = config.generation.backend
        guard generators[backend] != nil else {
            if backend == "extractive" {
                throw CommandFailure(
                    description:
                        "the extractive answerer needs vectors, and collection \(name) has none: ingest with an embedder, or configure an LLM backend (generation.backend)"
                )
            }
            throw CommandFailure(
                description:
                    "generation.backend \(backend) is not configured (configured: \(generators.keys.sorted().joined(separator: ", ")))")
        }
        let tokenizer = try WordPieceTokenizer(modelDirectory: config.modelDirectory())
        let policy = config.guardrails
        let guards: any QueryGuards =
            policy.enabled
            ? PolicyGuards(
                policy: policy, embedder: questions, classifier: try policy.classifier(),
                audit: policy.audit && !readOnly ? try StoreAuditSink(path: config.database) : nil,
                scans: policy.context.injection.isOn ? try StoredScans(path: config.database) : nil)
            : PassThroughGuards()
        let recorder =
            requestLog == nil && shadow == nil
            ? nil
            : PipelineRecorder(
                log: requestLog?.recorder(collection: name, indexVersion: indexVersion), shadow: shadow, collection: name,
                shadowService: candidates.shadow)
        let service = try QueryService(
            retriever: retriever, prompts: registry, assembler: ContextAssembler(counter: tokenizer),
            generators: generators, defaultBackend: backend, guards: guards,
            fallbackBackend: config.generation.fallback, prices: config.generation.prices, recorder: recorder, router: canary,
            canaryService: candidates.canary, activity: shadow?.activity)
        recorder?.attach(service)
        var defaults = try config.retrieval.options()
        if loaded == nil { defaults.mode = .lexical }
        return Pipeline(service: service, store: store, collection: name, collectionID: id, defaults: defaults, lexicalOnly: loaded == nil)
    }
}

/// The pipelines of other published index versions a replica's shadow candidate and canary
/// arm answer on (`shadow.index_version`, `canary.index_version`), for one collection.
public struct CandidateServices: Sendable {
    public var shadow: QueryService?
    public var canary: QueryService?

    public init(shadow: QueryService? = nil, canary: QueryService? = nil) {
        self.shadow = shadow
        self.canary = canary
    }
}
