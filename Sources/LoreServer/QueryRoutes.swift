import HTTPTypes
import Hummingbird
import LoreQuery
import LoreRetrieval

/// `POST /v1/query` (an answer, whole or as server-sent events) and `POST /v1/retrieve`
/// (passages only), over the collection each request names (scope `query`).
struct QueryRoutes: Sendable {
    let collections: ServedCollections
    let options: ServerOptions

    func register(on router: Router<LoreRequestContext>) {
        router.post("/v1/query") { request, context in try await self.query(request, context: context) }
        router.post("/v1/retrieve") { request, context in try await self.retrieve(request, context: context) }
    }

    /// The same JSON as `lore query --json`; with `stream: true`, `text/event-stream` (see
    /// `ServerSentEvents`), each event written as soon as the pipeline produces it.
    func query(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let bytes = try await RequestBodyReader.bytes(request, limit: options.maxBodyBytes)
        let fields = try JSONFields.parse(bytes, allowed: QueryBody.names)
        let served = try await collections.resolve(try RetrievalFields.collection(fields), in: context, scope: .query)
        let body = try QueryBody(fields, served: served, requestID: context.requestID, origin: context.origin(channel: "api"))
        let service = served.service
        let query = body.request
        guard body.stream else {
            let response = try await withDeadline(options.requestTimeout) { try await service.answer(query) }
            return try ResponseJSON.response(response)
        }
        let events = service.run(query)
        let logger = context.logger
        let headers: HTTPFields = [
            .contentType: ServerSentEvents.contentType, .cacheControl: "no-cache",
            HTTPField.Name("X-Accel-Buffering")!: "no"
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                do {
                    for try await event in events {
                        try await writer.write(try ServerSentEvents.encode(event))
                    }
                } catch {
                    try? await writer.write(ServerSentEvents.error(APIError.from(error, logger: logger)))
                }
                try await writer.finish(nil)
            })
    }

    /// Retrieval only: the input guard, then the retriever; the passages with their
    /// sources, headings, scores and text.
    func retrieve(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let bytes = try await RequestBodyReader.bytes(request, limit: options.maxBodyBytes)
        let body = try JSONFields.parse(bytes, allowed: RetrievalFields.names)
        let served = try await collections.resolve(try RetrievalFields.collection(body), in: context, scope: .query)
        let question = try RetrievalFields.question(body)
        let retrieval = try RetrievalFields.options(body, served: served)
        let service = served.service
        let requestID = context.requestID
        let response = try await withDeadline(options.requestTimeout) {
            let verdict = await service.guards.checkInput(question, history: [], context: GuardContext(requestID: requestID))
            var out = RetrieveResponse(
                requestID: requestID, question: verdict.question, mode: retrieval.mode.rawValue, passages: [],
                sufficient: false, bestRelevance: nil, unknownNames: [], blocked: verdict.blockedAnswer != nil,
                guardrailFindings: verdict.findings, timingsMs: nil)
            guard verdict.blockedAnswer == nil else { return out }
            let result = try await service.retriever.retrieve(verdict.question, options: retrieval, requestID: requestID)
            out.passages = result.passages.enumerated().map { RetrieveResponse.PassageJSON($1, n: $0 + 1) }
            out.sufficient = result.sufficient
            out.bestRelevance = result.bestRelevance
            out.unknownNames = result.unknownNames
            out.timingsMs = result.timings
            return out
        }
        return try ResponseJSON.response(response)
    }
}
