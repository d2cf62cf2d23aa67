import Hummingbird

/// What a reload did: the version served before and after, and whether it changed.
public struct ReloadReport: Sendable, Encodable {
    public var previous: String?
    public var version: String?
    public var changed: Bool
    public var seconds: Double

    public init(previous: String?, version: String?, changed: Bool, seconds: Double) {
        self.previous = previous
        self.version = version
        self.changed = changed
        self.seconds = seconds
    }
}

/// `POST /admin/reload` (admin scope): switch a replica to the current published index
/// version now, rather than at its next watch tick or SIGHUP. 200 with a `ReloadReport`;
/// 503 `reload_failed` when the new version cannot be loaded (the old one goes on serving).
struct AdminRoutes: Sendable {
    let reload: @Sendable () async throws -> ReloadReport

    func register(on router: Router<LoreRequestContext>) {
        router.post("/admin/reload") { _, context in
            try context.principal.authorize(.admin)
            do {
                return try ResponseJSON.response(try await self.reload())
            } catch let e as APIError {
                throw e
            } catch {
                throw APIError(
                    .serviceUnavailable, code: "reload_failed",
                    "the published version could not be loaded, the previous one is still served: \(error)")
            }
        }
    }
}
