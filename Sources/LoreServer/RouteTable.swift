import Hummingbird
import Synchronization

/// The methods served at each path, as the router registered them (`{name}` matches one
/// segment): the one source of the 405 answers and their `Allow` header. Filled once the
/// routes are registered, before the server accepts a request.
final class RouteTable: Sendable {
    private let table = Mutex<[String: [HTTPRequest.Method]]>([:])

    /// The table: path → methods, in the order HTTP lists them (`GET` before `POST`).
    var methods: [String: [HTTPRequest.Method]] { table.withLock { $0 } }

    /// Sets the table from the router's routes (`path`, `method`).
    func fill(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        var out: [String: [HTTPRequest.Method]] = [:]
        for r in routes { out[r.path, default: []].append(r.method) }
        let order: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for (k, v) in out { out[k] = v.sorted { (order.firstIndex(of: $0) ?? 99) < (order.firstIndex(of: $1) ?? 99) } }
        table.withLock { $0 = out }
    }
}
