import Foundation
import HTTPTypes
import Hummingbird
import LoreCore
import Metrics

/// The OpenAI-compatible routes, so that OpenAI's SDKs and the tools built on them talk to
/// Lore unchanged (scope `query` for all):
///
/// - `POST /v1/chat/completions`: Lore's RAG answer (the `/v1/query` pipeline) as a
///   `chat.completion`, or streamed as `chat.completion.chunk`s; the citations travel in the
///   `lore` extension object (see `ChatCompletionRequest`, `ChatCompletionResponse`,
///   `ChatCompletionStream`);
/// - `GET /v1/models`, `GET /v1/models/{id}`: the pipelines and embedders (`ModelCatalog`);
/// - `POST /v1/embeddings`: the collection's embedder (`EmbeddingsRequest`).
///
/// Metrics: `lore_chat_completions_total{model,stream}`, `lore_embedding_inputs_total{model}`
/// and `lore_embedding_tokens_total{model}` (model ids come from the catalog, so the label
/// sets stay bounded); the answers' own metrics are the pipeline's (`lore_queries_total`, `lore_query_stage_seconds`...).
struct OpenAIRoutes: Sendable {
    let collections: ServedCollections
    let options: ServerOptions

    func register(on router: Router<LoreRequestContext>) {
        router.post("/v1/chat/completions") { request, context in try await self.chatCompletion(request, context: context) }
        router.get("/v1/models") { _, context in try await self.models(context: context) }
        router.get("/v1/models/{id}") { _, context in try await self.model(context.parameters.require("id"), context: context) }
        router.post("/v1/embeddings") { request, context in try await self.embeddings(request, context: context) }
    }

    func chatCompletion(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let bytes = try await RequestBodyReader.bytes(request, limit: options.maxBodyBytes)
        let fields = try JSONFields.parse(bytes, allowed: ChatCompletionRequest.names)
        let collection = try RetrievalFields.collection(try ChatCompletionRequest.extensionFields(fields))
        let served = try await collections.resolve(collection, in: context, scope: .query)
        let body = try ChatCompletionRequest(
            fields, served: served, requestID: context.requestID, origin: context.origin(channel: "openai"))
        let created = Int(Date().timeIntervalSince1970)
        Counter(label: "lore_chat_completions_total", dimensions: [("model", body.model), ("stream", "\(body.stream)")]).increment()
        context.logger.info(
            "chat completion",
            metadata: [
                "model": "\(body.model)", "stream": "\(body.stream)", "collection": "\(served.name)",
                "history": "\(body.query.history.count)", "ignored_system_messages": "\(body.ignoredSystemMessages)"
            ])
        let service = served.service
        let query = body.query
        guard body.stream else {
            let response = try await withDeadline(options.requestTimeout) { try await service.answer(query) }
            return try ResponseJSON.response(
                ChatCompletionResponse(
                    response, model: body.model, created: created,
                    ignoredSystemMessages: body.ignoredSystemMessages))
        }
        let stream = ChatCompletionStream(
            requestID: context.requestID, created: created, model: body.model,
            includeUsage: body.includeUsage, ignoredSystemMessages: body.ignoredSystemMessages)
        let events = service.run(query)
        let logger = context.logger
        let headers: HTTPFields = [
            .contentType: ServerSentEvents.contentType, .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no"
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await stream.write(events, to: &writer, logger: logger)
                try await writer.finish(nil)
            })
    }

    /// The default collection's catalog (prompts and backends are the same for every
    /// collection).
    /// The models of the default collection's pipeline, or, for a key restricted to other
    /// collections, of the first collection it may use (it never sees the default's).
    func catalog(context: LoreRequestContext) async throws -> ModelCatalog {
        var name: CollectionName? = nil
        if !context.principal.mayUse(collection: collections.defaultName), let first = context.principal.collections?.sorted().first {
            name = CollectionName(name: first)
        }
        return ModelCatalog(service: try await collections.resolve(name, in: context, scope: .query).service)
    }

    func models(context: LoreRequestContext) async throws -> Response {
        try ResponseJSON.response(ModelListJSON(data: try await catalog(context: context).models.map(ModelListJSON.ModelJSON.init)))
    }

    func model(_ id: String, context: LoreRequestContext) async throws -> Response {
        guard let m = try await catalog(context: context).models.first(where: { $0.id == id }) else {
            throw APIError(.notFound, code: "model_not_found", "model: \(id) does not exist; GET /v1/models lists the models")
        }
        return try ResponseJSON.response(ModelListJSON.ModelJSON(m))
    }

    func embeddings(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let bytes = try await RequestBodyReader.bytes(request, limit: options.maxBodyBytes)
        let fields = try JSONFields.parse(bytes, allowed: EmbeddingsRequest.names)
        let served = try await collections.resolve(try EmbeddingsRequest.collection(fields), in: context, scope: .query)
        let body = try EmbeddingsRequest(fields)
        // The model itself, not the question cache or the shared batches: a text's vector
        // then does not depend on what else is embedded at the moment.
        guard let embedder = served.service.retriever.embedder?.innermost else {
            throw APIError.invalidRequest(
                "lore.collection: collection \(served.name) has no embedder (it holds no vectors), so it cannot embed; name a collection ingested with one"
            )
        }
        _ = try ModelCatalog(service: served.service).model(body.model, kind: .embedding)
        if let d = body.dimensions, d != embedder.dimension {
            throw APIError.invalidRequest("dimensions: \(embedder.modelID) embeds in \(embedder.dimension) dimensions, not \(d)")
        }
        let inputs = body.inputs
        let vectors = try await withDeadline(options.requestTimeout) { try await embedder.embed(inputs) }
        // Tokens as the model sees them: the text's, plus [CLS] and [SEP], cut at its limit.
        let counter = served.service.assembler.counter
        let tokens = inputs.reduce(0) { $0 + min(counter.countTokens($1) + counter.specialTokenCount, counter.maxSequenceLength) }
        Counter(label: "lore_embedding_inputs_total", dimensions: [("model", embedder.modelID)]).increment(by: inputs.count)
        Counter(label: "lore_embedding_tokens_total", dimensions: [("model", embedder.modelID)]).increment(by: tokens)
        context.logger.info(
            "embeddings",
            metadata: [
                "model": "\(embedder.modelID)", "collection": "\(served.name)", "inputs": "\(inputs.count)", "tokens": "\(tokens)",
                "encoding": "\(body.encoding.rawValue)"
            ])
        let data = vectors.enumerated().map { EmbeddingsResponse.Item(index: $0, embedding: .init($1, encoding: body.encoding)) }
        return try ResponseJSON.response(
            EmbeddingsResponse(
                data: data, model: body.model,
                usage: .init(promptTokens: tokens, totalTokens: tokens)))
    }
}
