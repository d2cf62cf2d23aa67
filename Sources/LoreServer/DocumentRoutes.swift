import Dispatch
import Hummingbird
import Logging
import LoreStore
import Metrics

/// The document API over the store's collections:
///
/// - `POST /v1/documents` (scope `ingest`): uploads (JSON or `multipart/form-data`, see
///   `DocumentUploadBody`), ingested all or nothing; 201 with each upload's status
///   (`added`, `updated`, `unchanged`) and documents;
/// - `GET /v1/documents` (scope `query`): a page of documents (see `DocumentListParameters`);
/// - `GET /v1/documents/{id}` (scope `query`): the document and its chunks, with their
///   text when `include=text`;
/// - `DELETE /v1/documents/{id}` (scope `ingest`): removes it; 200 with what was removed.
///
/// Every route resolves the collection (`collection` body field or query parameter, else
/// the server's default) and only sees that collection's documents: another collection's
/// id is a 404, like an unknown one. Metrics: `lore_documents_ingested_total{collection,status}`,
/// `lore_documents_deleted_total{collection}`, `lore_document_ingest_duration_seconds{collection}`.
struct DocumentRoutes: Sendable {
    let collections: ServedCollections
    let catalog: any DocumentCatalog
    let options: ServerOptions

    func register(on router: Router<LoreRequestContext>) {
        router.post("/v1/documents") { request, context in try await self.upload(request, context: context) }
        router.get("/v1/documents") { request, context in try await self.list(request, context: context) }
        router.get("/v1/documents/:id") { request, context in try await self.get(request, context: context) }
        router.delete("/v1/documents/:id") { request, context in try await self.delete(request, context: context) }
    }

    func upload(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let bytes = try await RequestBodyReader.bytes(request, limit: options.maxBodyBytes)
        let body = try DocumentUploadBody.parse(bytes, contentType: request.headers[.contentType])
        let served = try await collections.resolve(body.collection, in: context, scope: .ingest)
        let started = DispatchTime.now().uptimeNanoseconds
        let results = try await catalog.ingest(body.uploads, into: served)
        let elapsed = DispatchTime.now().uptimeNanoseconds - started
        Timer(label: "lore_document_ingest_duration_seconds", dimensions: [("collection", served.name)]).recordNanoseconds(Int64(elapsed))
        for r in results {
            Counter(label: "lore_documents_ingested_total", dimensions: [("collection", served.name), ("status", r.status)]).increment()
            context.logger.info(
                "document ingested",
                metadata: [
                    "collection": "\(served.name)", "source": "\(r.source)", "status": "\(r.status)", "chunks": "\(r.chunks)",
                    "document_ids": "\(r.documents.map(\.id))", "ms": "\(Double(elapsed / 1000) / 1000)"
                ])
        }
        let out = DocumentJSON.Uploaded(
            collection: served.name,
            uploads: results.map {
                DocumentJSON.UploadJSON(
                    name: $0.name, source: $0.source, status: $0.status, chunks: $0.chunks,
                    documents: $0.documents.map(DocumentJSON.Summary.init), warnings: $0.warnings)
            })
        var response = try ResponseJSON.response(out)
        response.status = .created
        return response
    }

    func list(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let p = try DocumentListParameters(request.uri.queryParameters)
        let served = try await collections.resolve(p.collection, in: context, scope: .query)
        // One more than the page tells whether another page follows.
        var rows = try await catalog.list(collection: served.name, filter: p.filter, after: p.after, limit: p.limit + 1)
        var next: String? = nil
        if rows.count > p.limit {
            rows.removeLast(rows.count - p.limit)
            next = rows.last.map { String($0.id) }
        }
        return try ResponseJSON.response(
            DocumentJSON.Page(collection: served.name, documents: rows.map(DocumentJSON.Summary.init), nextCursor: next))
    }

    func get(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let (id, collection, includeText) = try Self.target(request, context: context, extra: ["include"])
        let served = try await collections.resolve(collection, in: context, scope: .query)
        guard let found = try await catalog.document(id: id, collection: served.name) else { throw Self.notFound(id, served.name) }
        let (doc, chunks) = found
        let list = chunks.map {
            DocumentJSON.ChunkJSON(
                id: $0.id, ordinal: $0.ordinal, headingPath: $0.headingPath, tokenCount: $0.tokenCount,
                page: $0.page, text: includeText ? $0.text : nil)
        }
        return try ResponseJSON.response(DocumentJSON.Detail(collection: served.name, document: DocumentJSON.Summary(doc), chunkList: list))
    }

    func delete(_ request: Request, context: LoreRequestContext) async throws -> Response {
        let (id, collection, _) = try Self.target(request, context: context, extra: [])
        let served = try await collections.resolve(collection, in: context, scope: .ingest)
        guard let removed = try await catalog.delete(id: id, from: served) else { throw Self.notFound(id, served.name) }
        Counter(label: "lore_documents_deleted_total", dimensions: [("collection", served.name)]).increment()
        context.logger.info(
            "document deleted",
            metadata: [
                "collection": "\(served.name)", "document_id": "\(id)", "source": "\(removed.document.source)",
                "chunks": "\(removed.chunks)", "vectors": "\(removed.vectors)"
            ])
        return try ResponseJSON.response(
            DocumentJSON.Deleted(
                collection: served.name, deleted: DocumentJSON.Summary(removed.document),
                chunksRemoved: removed.chunks, vectorsRemoved: removed.vectors))
    }

    static func notFound(_ id: Int64, _ collection: String) -> APIError {
        APIError(.notFound, code: "document_not_found", "id: no document \(id) in collection \(collection)")
    }

    /// The document id of the path (a positive integer, else a 400 naming `id`), the
    /// `collection` query parameter, and whether `include=text` was asked for; any other
    /// query parameter is a 400 naming it.
    static func target(_ request: Request, context: LoreRequestContext, extra: Set<String>) throws(APIError)
        -> (Int64, CollectionName?, Bool)
    {
        let raw = context.parameters.get("id") ?? ""
        guard raw.utf8.count <= 19, raw.utf8.allSatisfy({ (48...57).contains($0) }), let id = Int64(raw), id > 0 else {
            let shown = raw.utf8.count > 40 ? String(raw.prefix(40)) + "..." : raw
            throw APIError.invalidRequest("id: must be a document id (a positive integer), not \(shown.debugDescription)")
        }
        var collection: CollectionName?
        var includeText = false
        for (key, value) in request.uri.queryParameters {
            switch key {
            case "collection": collection = CollectionName(name: String(value), field: "collection")
            case "include" where extra.contains("include"):
                guard value == "text" else { throw APIError.invalidRequest("include: only text is supported, not \(value.prefix(40))") }
                includeText = true
            default:
                let known = (["collection"] + extra.sorted()).joined(separator: ", ")
                throw APIError.invalidRequest("\(key.prefix(60)): unknown parameter; known parameters are \(known)")
            }
        }
        return (id, collection, includeText)
    }
}
