import Configuration
import Foundation
import LoreGuardrails
import LoreIndex
import LoreIngest
import Yams

/// Lore's configuration: defaults, overridden by a YAML file (`--config`, `$LORE_CONFIG`, or
/// `./lore.yaml`), overridden by `LORE_*` environment variables, overridden by flags.
public struct LoreConfiguration: Codable, Equatable, Sendable {
    public struct Ingest: Codable, Equatable, Sendable {
        public var chunkSize = 200
        public var chunkOverlap = 30
        public var maxFileBytes = 50 * 1024 * 1024
        public var minCharacters = 10
        /// `repair` (replace with U+FFFD and warn) or `reject`.
        public var invalidUTF8 = "repair"
        public var include: [String] = []
        public var exclude: [String] = []
        /// When PDF pages are read by OCR: `auto` (pages without a text layer), `off`, `always`.
        public var ocr = OCRMode.auto
        /// Tesseract's language(s) for OCR (`eng`, `eng+deu`: Debian's `tesseract-ocr-LANG`).
        public var ocrLanguage = "eng"

        public enum CodingKeys: String, CodingKey {
            case chunkSize = "chunk_size", chunkOverlap = "chunk_overlap", maxFileBytes = "max_file_bytes"
            case minCharacters = "min_characters", invalidUTF8 = "invalid_utf8", include, exclude, ocr, ocrLanguage = "ocr_language"
        }

        /// The loaders these settings choose.
        public var registry: LoaderRegistry { LoaderRegistry(ocr: ocr, ocrLanguage: ocrLanguage) }
    }

    public var database = "lore.db"
    public var collection = "default"
    /// Where `scripts/fetch-models` put the models; relative paths are looked up from the
    /// working directory, then upwards from the executable.
    public var modelsDir = "models"
    public var logLevel = "warning"
    /// `minilm` (in process), `openai-compatible` (see `openai_embedder`) or `none`.
    public var embedder = "minilm"
    public var openAIEmbedder = OpenAIEmbedder()
    public var ingest = Ingest()
    public var index = Index()
    public var prompts = PromptSettings()
    public var generation = GenerationSettings()
    public var retrieval = RetrievalSettings()
    public var extractive = ExtractiveSettings()
    /// Shared encoder batches for requests in flight (`batching:`).
    public var batching = BatchingSettings()
    /// The guardrail policy (every rule's action and threshold).
    public var guardrails = GuardrailPolicy()
    /// `lore serve`.
    public var server = ServerSettings()
    public var requestLog = RequestLogSettings()
    /// Shadow traffic (`shadow:`): off while no candidate is named.
    public var shadow = ShadowSettings()
    /// A canary rollout (`canary:`): off while no candidate is named.
    public var canary = CanarySettings()
    /// OpenTelemetry traces (`tracing:`): off while no endpoint is set.
    public var tracing = TracingSettings()

    /// The vector index (`index:`).
    public struct Index: Codable, Equatable, Sendable {
        /// `auto` (flat below `hnsw_threshold` vectors, HNSW from it), `flat` or `hnsw`.
        public var kind = IndexKindSetting.auto
        public var hnswThreshold = IndexSettings().hnswThreshold
        public var m = HNSWParameters().m
        public var efConstruction = HNSWParameters().efConstruction
        public var efSearch = HNSWParameters().efSearch
        public var rebuildTombstoneShare = IndexSettings().rebuildTombstoneShare
        /// Bytes per stored snapshot part (blob).
        public var snapshotPartBytes = IndexSettings().partBytes

        public enum CodingKeys: String, CodingKey {
            case kind, hnswThreshold = "hnsw_threshold", m, efConstruction = "ef_construction", efSearch = "ef_search"
            case rebuildTombstoneShare = "rebuild_tombstone_share", snapshotPartBytes = "snapshot_part_bytes"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let d = Self()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decodeIfPresent(String.self, forKey: .kind).map(IndexKindSetting.parse) ?? d.kind
            hnswThreshold = try c.decodeIfPresent(Int.self, forKey: .hnswThreshold) ?? d.hnswThreshold
            m = try c.decodeIfPresent(Int.self, forKey: .m) ?? d.m
            efConstruction = try c.decodeIfPresent(Int.self, forKey: .efConstruction) ?? d.efConstruction
            efSearch = try c.decodeIfPresent(Int.self, forKey: .efSearch) ?? d.efSearch
            rebuildTombstoneShare = try c.decodeIfPresent(Double.self, forKey: .rebuildTombstoneShare) ?? d.rebuildTombstoneShare
            snapshotPartBytes = try c.decodeIfPresent(Int.self, forKey: .snapshotPartBytes) ?? d.snapshotPartBytes
        }

        /// The index settings these values describe.
        public func settings() throws -> IndexSettings {
            let s = IndexSettings(
                kind: kind.fixed, hnswThreshold: hnswThreshold,
                hnsw: HNSWParameters(m: m, efConstruction: efConstruction, efSearch: efSearch),
                rebuildTombstoneShare: rebuildTombstoneShare, partBytes: snapshotPartBytes)
            do { try s.validate() } catch { throw ConfigurationError(description: "\(error)") }
            return s
        }
    }

    /// The OpenAI-compatible embeddings server.
    public struct OpenAIEmbedder: Codable, Equatable, Sendable {
        public var baseURL: String?
        public var model: String?
        public var apiKeyEnv: String?
        public var batchSize = 64
        public var concurrency = 4
        public var timeoutSeconds = 30.0
        public var maxRetries = 5
        public var dimension: Int?

        public enum CodingKeys: String, CodingKey {
            case baseURL = "base_url", model, apiKeyEnv = "api_key_env", batchSize = "batch_size", concurrency
            case timeoutSeconds = "timeout_s", maxRetries = "max_retries", dimension
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let d = Self()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL)
            model = try c.decodeIfPresent(String.self, forKey: .model)
            apiKeyEnv = try c.decodeIfPresent(String.self, forKey: .apiKeyEnv)
            batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
            concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? d.concurrency
            timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? d.timeoutSeconds
            maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries) ?? d.maxRetries
            dimension = try c.decodeIfPresent(Int.self, forKey: .dimension)
        }
    }

    public enum CodingKeys: String, CodingKey {
        case database, collection, modelsDir = "models_dir", logLevel = "log_level", embedder
        case openAIEmbedder = "openai_embedder", ingest, index, prompts, generation, retrieval, extractive, batching, guardrails
        case server, requestLog = "request_log", shadow, canary, tracing
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        // Every key is optional: missing keys keep their defaults.
        let d = LoreConfiguration()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        database = try c.decodeIfPresent(String.self, forKey: .database) ?? d.database
        collection = try c.decodeIfPresent(String.self, forKey: .collection) ?? d.collection
        modelsDir = try c.decodeIfPresent(String.self, forKey: .modelsDir) ?? d.modelsDir
        logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel) ?? d.logLevel
        embedder = try c.decodeIfPresent(String.self, forKey: .embedder) ?? d.embedder
        openAIEmbedder = try c.decodeIfPresent(OpenAIEmbedder.self, forKey: .openAIEmbedder) ?? d.openAIEmbedder
        ingest = try c.decodeIfPresent(Ingest.self, forKey: .ingest) ?? d.ingest
        index = try c.decodeIfPresent(Index.self, forKey: .index) ?? d.index
        prompts = try c.decodeIfPresent(PromptSettings.self, forKey: .prompts) ?? d.prompts
        generation = try c.decodeIfPresent(GenerationSettings.self, forKey: .generation) ?? d.generation
        retrieval = try c.decodeIfPresent(RetrievalSettings.self, forKey: .retrieval) ?? d.retrieval
        extractive = try c.decodeIfPresent(ExtractiveSettings.self, forKey: .extractive) ?? d.extractive
        batching = try c.decodeIfPresent(BatchingSettings.self, forKey: .batching) ?? d.batching
        guardrails = try c.decodeIfPresent(GuardrailPolicy.self, forKey: .guardrails) ?? d.guardrails
        server = try c.decodeIfPresent(ServerSettings.self, forKey: .server) ?? d.server
        requestLog = try c.decodeIfPresent(RequestLogSettings.self, forKey: .requestLog) ?? d.requestLog
        shadow = try c.decodeIfPresent(ShadowSettings.self, forKey: .shadow) ?? d.shadow
        canary = try c.decodeIfPresent(CanarySettings.self, forKey: .canary) ?? d.canary
        tracing = try c.decodeIfPresent(TracingSettings.self, forKey: .tracing) ?? d.tracing
    }
}

extension LoreConfiguration.Ingest {
    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chunkSize = try c.decodeIfPresent(Int.self, forKey: .chunkSize) ?? d.chunkSize
        chunkOverlap = try c.decodeIfPresent(Int.self, forKey: .chunkOverlap) ?? d.chunkOverlap
        maxFileBytes = try c.decodeIfPresent(Int.self, forKey: .maxFileBytes) ?? d.maxFileBytes
        minCharacters = try c.decodeIfPresent(Int.self, forKey: .minCharacters) ?? d.minCharacters
        invalidUTF8 = try c.decodeIfPresent(String.self, forKey: .invalidUTF8) ?? d.invalidUTF8
        include = try c.decodeIfPresent([String].self, forKey: .include) ?? d.include
        exclude = try c.decodeIfPresent([String].self, forKey: .exclude) ?? d.exclude
        ocr = try c.decodeIfPresent(OCRMode.self, forKey: .ocr) ?? d.ocr
        ocrLanguage = try c.decodeIfPresent(String.self, forKey: .ocrLanguage) ?? d.ocrLanguage
    }
}

/// A configuration problem, naming the file, key or variable.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// `index.kind`: the index a collection gets.
public enum IndexKindSetting: String, Codable, Sendable, CaseIterable {
    /// Flat below `index.hnsw_threshold` vectors, HNSW from it.
    case auto
    /// Always exact search.
    case flat
    /// Always HNSW.
    case hnsw

    /// The fixed kind, or nil for `auto` (chosen by size).
    public var fixed: IndexKind? { IndexKind(rawValue: rawValue) }

    /// The kind a setting's text names; anything else is an error naming `index.kind`.
    public static func parse(_ text: String) throws -> IndexKindSetting {
        guard let kind = IndexKindSetting(rawValue: text) else {
            throw ConfigurationError(description: "index.kind must be auto, flat or hnsw, not \(text)")
        }
        return kind
    }
}

extension LoreConfiguration {
    /// Loads the effective configuration.
    /// `flags` are the command line's settings by key (`["database": .string(path)]`); they
    /// override the environment, which overrides the file.
    public static func load(
        file explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment, flags: [String: ConfigContent] = [:]
    ) throws -> (
        LoreConfiguration, source: String?
    ) {
        var config = LoreConfiguration()
        var source: String? = nil
        let candidate = explicit ?? environment["LORE_CONFIG"] ?? (FileManager.default.fileExists(atPath: "lore.yaml") ? "lore.yaml" : nil)
        if let path = candidate {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(description: "cannot read the configuration file \(path)")
            }
            let text = String(decoding: data, as: UTF8.self)
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                do { config = try YAMLDecoder().decode(LoreConfiguration.self, from: text) } catch {
                    throw ConfigurationError(description: "invalid configuration in \(path): \(Self.describe(error))")
                }
            }
            source = path
        }
        try config.applyOverrides(environment: environment, flags: flags)
        try config.validate()
        return (config, source)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ConfigurationError:
            return error.description
        // A setting's own check (an enum's value) thrown inside the decoder, which wraps it.
        case DecodingError.dataCorrupted(let ctx) where ctx.underlyingError is ConfigurationError:
            return "\(ctx.underlyingError!)"
        case DecodingError.typeMismatch(let type, let ctx), DecodingError.valueNotFound(let type, let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")): expected \(type)"
        case DecodingError.dataCorrupted(let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
        default:
            return "\(error)"
        }
    }

    /// Fails, naming the path, when the database file does not exist (`hint` says what to do).
    public func requireDatabase(hint: String = "run lore ingest first, or pass --db") throws {
        guard FileManager.default.fileExists(atPath: database) else {
            throw CommandFailure(description: "no database at \(database): \(hint)")
        }
    }

    public func validate() throws {
        guard EmbedderFactory.kinds.contains(embedder) else {
            throw ConfigurationError(
                description: "embedder must be one of \(EmbedderFactory.kinds.joined(separator: ", ")), not \(embedder)")
        }
        guard ["repair", "reject"].contains(ingest.invalidUTF8) else {
            throw ConfigurationError(description: "ingest.invalid_utf8 must be repair or reject, not \(ingest.invalidUTF8)")
        }
        guard ingest.maxFileBytes > 0 else { throw ConfigurationError(description: "ingest.max_file_bytes must be positive") }
        guard ingest.minCharacters >= 0 else { throw ConfigurationError(description: "ingest.min_characters must not be negative") }
        _ = try index.settings()
        _ = try retrieval.options()
        try extractive.validate()
        try batching.validate()
        _ = try retrieval.queryCacheBytes()
        do { try guardrails.validate() } catch { throw ConfigurationError(description: "\(error)") }
        try prompts.validate()
        try generation.validate()
        try server.validate()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigurationError(
                description: "log_level must be one of trace, debug, info, notice, warning, error, critical; not \(logLevel)")
        }
    }

    /// The configuration as YAML.
    public func yaml() throws -> String { try YAMLEncoder().encode(self) }

    /// The directory holding all-MiniLM-L6-v2.
    public func modelDirectory(_ name: String = "all-MiniLM-L6-v2") throws -> String {
        if modelsDir.hasPrefix("/") { return modelsDir + "/" + name }
        var candidates = [FileManager.default.currentDirectoryPath + "/" + modelsDir]
        // Upwards from the executable (e.g. .build/x86_64-unknown-linux-gnu/release/lore).
        var dir = URL(fileURLWithPath: CommandLine.executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.path + "/" + modelsDir)
            dir.deleteLastPathComponent()
        }
        for c in candidates where FileManager.default.fileExists(atPath: c + "/" + name + "/vocab.txt") {
            return c + "/" + name
        }
        throw ConfigurationError(
            description:
                "model \(name) not found under \(modelsDir)/ (looked in \(candidates[0]) and above the lore executable): run scripts/fetch-models, or set models_dir / LORE_MODELS_DIR"
        )
    }
}

extension CommandLine {
    /// The running executable's path.
    public static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
