import Foundation
import LoreTestSupport
import Testing

/// `GET /openapi.yaml` is the committed description (`Sources/LoreServer/openapi.yaml`), and
/// schemathesis (PyPI, from the `scripts/api-clients` venv) finds no 5xx and no response
/// that departs from it: status codes, content types, headers and bodies (each server-sent
/// event too), over generated valid and invalid requests to every operation.
@Suite("lore serve: the OpenAPI description, checked by schemathesis")
struct OpenAPITests {
    static var schemathesis: String { TestPaths.repositoryRoot + "/.cache/api-clients-venv/bin/schemathesis" }
    static var committed: String { TestPaths.repositoryRoot + "/Sources/LoreServer/openapi.yaml" }

    @Test("GET /openapi.yaml serves the committed file, without a key, as YAML")
    func served() async throws {
        let keyed = try await KeyedServe.shared.get()
        let r = try await keyed.server.get("/openapi.yaml")
        #expect(r.status == 200)
        #expect(r.headers["content-type"]?.hasPrefix("application/yaml") == true)
        #expect(r.body == (try String(contentsOfFile: Self.committed, encoding: .utf8)))
        #expect(r.body.hasPrefix("openapi: 3.1.0"))
    }

    @Test("schemathesis: no 5xx, and every response conforms to the description, on every operation")
    func conformance() async throws {
        #expect(
            FileManager.default.isExecutableFile(atPath: Self.schemathesis),
            "no \(Self.schemathesis): run scripts/api-clients --install-only")
        // A store of its own: generated uploads and deletions change it.
        let store = try await KeyedStore()
        let admin = try await store.create("schemathesis", scope: "admin")
        let server = try await LoreServe(database: store.database, unauthenticated: false)
        let reportDir = store.directory.path + "/schemathesis"
        let r = try await runProcess(
            Self.schemathesis,
            [
                "run", server.url + "/openapi.yaml", "-H", "Authorization: Bearer \(admin.text)",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
                // One worker: hypothesis describes strategies with ast.parse, which Python 3.11 does not
                // make safe across threads (SystemError: AST constructor recursion depth mismatch).
                "--max-examples", "40", "--seed", "8", "--no-color", "--workers", "1",
                "--report", "junit", "--report-dir", reportDir
            ], currentDirectory: store.directory.path)
        #expect(r.status == 0, "schemathesis failed:\n\(r.stdout.suffix(6000))\n\(r.stderr.suffix(2000))")
        // Every operation ran, and requests were made (not a vacuous pass).
        #expect(r.stdout.contains("Tested: 15"), "\(r.stdout.suffix(3000))")
        // The summary's "N generated, N passed" line (warnings may say "generated" too).
        let generated =
            r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.first?.isNumber == true && $0.contains(" generated, ") } ?? ""
        let count = Int(generated.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0
        #expect(count >= 500, "too few test cases: \(generated)")
        #expect(try await server.get("/healthz").status == 200)
    }
}
