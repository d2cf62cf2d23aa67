import Hummingbird

/// `GET /healthz` (the process serves), `GET /readyz` (every `ReadinessCheck` passes:
/// 200, else 503, with each check's outcome), `GET /metrics` (Prometheus text) and
/// `GET /openapi.yaml` (the committed OpenAPI 3.1 description, `Sources/LoreServer/openapi.yaml`,
/// compiled into the binary).
struct OperationsRoutes: Sendable {
    let readiness: [ReadinessCheck]
    /// The metrics in Prometheus's text format (from the backend the executable bootstrapped).
    let metrics: @Sendable () -> String

    private struct Check: Encodable { var name: String; var ok: Bool; var problem: String? }
    private struct Readiness: Encodable { var status: String; var checks: [Check] }

    func register(on router: Router<LoreRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}\n")))
        }
        router.get("/readyz") { _, _ in try await self.ready() }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: self.metrics())))
        }
    }

    func ready() async throws -> Response {
        var checks: [Check] = []
        for c in readiness {
            let problem = await c.check()
            checks.append(Check(name: c.name, ok: problem == nil, problem: problem))
        }
        let ok = checks.allSatisfy(\.ok)
        var response = try ResponseJSON.response(Readiness(status: ok ? "ready" : "not_ready", checks: checks))
        if !ok { response.status = .serviceUnavailable }
        return response
    }
}
