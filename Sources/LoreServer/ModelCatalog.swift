import Foundation
import LoreCore
import LorePrompts
import LoreQuery

/// The models the OpenAI-compatible routes serve, as `GET /v1/models` lists them.
///
/// Chat models are pipelines, named by this scheme:
/// - `lore-default`: the configured answer prompt (its default version, or its A/B split)
///   on the configured generation backend;
/// - `lore-answer-VERSION` (`lore-answer-v1`, `lore-answer-v2`): that answer prompt version
///   pinned, on the default backend;
/// - `lore-BACKEND` (`lore-extractive`, `lore-local`...): the default prompt on that
///   configured generation backend.
/// A name both schemes would give goes to the prompt version.
///
/// Embedding models: the collection's embedder under its own model id
/// (`all-MiniLM-L6-v2`) and under the alias `lore-embed`; none when the collection has no
/// embedder.
struct ModelCatalog: Sendable {
    enum Kind: String, Sendable, Encodable { case chat, embedding }

    /// One model.
    struct Model: Sendable {
        var id: String
        var kind: Kind
        /// The answer template it pins (`answer@v2`), or nil for the configured default.
        var prompt: String?
        /// The generation backend it uses, or nil for the configured default.
        var backend: String?
        /// The embedding dimension (embedding models only).
        var dimensions: Int?
        var description: String
    }

    static let defaultModel = "lore-default"
    static let embeddingAlias = "lore-embed"
    /// The `created` time of every model: when the server first listed its models.
    static let created = Int(Date().timeIntervalSince1970)

    let models: [Model]

    /// The catalog of a collection's pipeline (prompts and backends are the configuration's,
    /// the same for every collection; the embedder is the collection's).
    init(service: QueryService) {
        var models: [Model] = [
            Model(
                id: Self.defaultModel, kind: .chat, prompt: nil, backend: nil, dimensions: nil,
                description: "Lore's RAG answer: the configured answer prompt on the configured backend (\(service.defaultBackend))")
        ]
        var taken: Set<String> = [Self.defaultModel]
        for version in service.prompts.versions(of: KnownPrompts.answer) {
            let id = "lore-\(KnownPrompts.answer)-\(version)"
            guard taken.insert(id).inserted else { continue }
            let about = (try? service.prompts.template(name: KnownPrompts.answer, version: version))?.description ?? ""
            models.append(
                Model(
                    id: id, kind: .chat, prompt: "\(KnownPrompts.answer)@\(version)", backend: nil, dimensions: nil,
                    description: "prompt \(KnownPrompts.answer)@\(version) on the configured backend. \(about)"))
        }
        for backend in service.generators.keys.sorted() {
            let id = "lore-\(backend)"
            guard taken.insert(id).inserted else { continue }
            models.append(
                Model(
                    id: id, kind: .chat, prompt: nil, backend: backend, dimensions: nil,
                    description: "the configured answer prompt on generation backend \(backend)"))
        }
        if let embedder = service.retriever.embedder {
            for id in [embedder.modelID, Self.embeddingAlias] where taken.insert(id).inserted {
                models.append(
                    Model(
                        id: id, kind: .embedding, prompt: nil, backend: nil, dimensions: embedder.dimension,
                        description: "the collection's embedder, \(embedder.modelID) (\(embedder.dimension) dimensions)"))
            }
        }
        self.models = models
    }

    /// The model `id` of `kind`, or a 404 `model_not_found` naming the field and listing
    /// the models of that kind.
    func model(_ id: String, kind: Kind, field: String = "model") throws(APIError) -> Model {
        if let m = models.first(where: { $0.id == id && $0.kind == kind }) { return m }
        let known = models.filter { $0.kind == kind }.map(\.id)
        let list = known.isEmpty ? "none (the collection has no embedder)" : known.joined(separator: ", ")
        throw APIError(
            .notFound, code: "model_not_found",
            "\(field): the \(kind.rawValue) model \(id) does not exist; \(kind.rawValue) models are \(list)")
    }
}

/// `GET /v1/models`'s list and `GET /v1/models/{id}`'s object, as OpenAI shapes them, with
/// a `lore` extension saying what each model is.
struct ModelListJSON: Encodable {
    struct ModelJSON: Encodable {
        struct Extension: Encodable {
            var kind: ModelCatalog.Kind
            var prompt: String?
            var backend: String?
            var dimensions: Int?
            var description: String
        }

        var id: String
        var object = "model"
        var created = ModelCatalog.created
        var ownedBy = "lore"
        var lore: Extension

        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by", lore }

        init(_ m: ModelCatalog.Model) {
            id = m.id
            lore = Extension(kind: m.kind, prompt: m.prompt, backend: m.backend, dimensions: m.dimensions, description: m.description)
        }
    }

    var object = "list"
    var data: [ModelJSON]
}
