import Foundation
import LoreTestSupport
import Synchronization
import Testing

/// A working store (`corpus/`, ingested by `lore ingest --publish`) and its published
/// directory, for one test: each test publishes its own versions.
final class PublishedCorpus: @unchecked Sendable {
    let directory: TemporaryDirectory
    let work: String
    let index: String
    let extra: String

    /// A copy of `ClusterCorpus`'s working store and published directory (one `lore ingest
    /// --publish` of `corpus/` for every suite).
    init() throws {
        let copy = try ClusterCorpus.shared.get().copy()
        directory = copy.dir
        work = copy.work
        index = copy.published
        extra = directory.path + "/extra"
        try FileManager.default.createDirectory(atPath: extra, withIntermediateDirectories: true)
    }

    /// `lore ingest PATH --db WORK --publish INDEX`; fails the test unless it exits 0.
    func publish(_ path: String) throws {
        let r = try runLore(["ingest", path, "--db", work, "--publish", index])
        guard r.status == 0 else { throw CurlFailure(description: "lore ingest --publish failed (\(r.status)): \(r.stderr)") }
    }

    /// Adds marker document `n` ("zorblax marker N") and publishes a new version.
    func publishMarker(_ n: Int) throws {
        _ = directoryWrite(
            "marker-\(n).md",
            "# Zorblax marker \(n)\n\nZorblax marker \(n) is a fictional replication fact that only version \(n + 1) of the test index holds.\n"
        )
        try publish(extra)
    }

    func directoryWrite(_ name: String, _ text: String) -> String {
        let path = extra + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
        return path
    }

    /// A replica of `index` (`lore serve --published`).
    func replica(watch: Double, unauthenticated: Bool = true, logFile: String? = nil) throws -> LoreServeProcess {
        try LoreServeProcess(
            ["--published", index, "--watch-interval", "\(watch)"], environment: ["LORE_LOG_LEVEL": "info"], database: work,
            unauthenticated: unauthenticated, logFile: logFile)
    }
}

extension HTTPExchange {
    var indexVersion: String? { headers["x-lore-index-version"] }
}

/// `lore serve --published DIR`: a read-only replica that switches to each new version
/// without failing a request or mixing two versions in one answer.
@Suite("Replica of published versions", .serialized)
struct ReplicaTests {
    /// The marker numbers among a retrieve response's sources.
    static func markers(_ exchange: HTTPExchange) -> Set<Int> {
        let passages = exchange.json?["passages"] as? [[String: Any]] ?? []
        return Set(
            passages.compactMap { p in
                guard let source = p["source"] as? String, let range = source.range(of: #"marker-(\d+)\.md$"#, options: .regularExpression)
                else { return nil }
                return Int(source[range].dropFirst(7).dropLast(3))
            })
    }

    @Test(
        "under concurrent requests, each new version is switched to with no failed request, and every answer comes from one whole version")
    func switchesUnderLoad() throws {
        let corpus = try PublishedCorpus()
        let server = try corpus.replica(watch: 0.2)
        let first = try server.post("/v1/retrieve", #"{"question":"zorblax marker","k":10}"#)
        #expect(first.status == 200)
        #expect(first.indexVersion == "v000001")
        #expect(Self.markers(first).isEmpty)

        // Four clients, on threads of their own (not the test's cooperative pool, which the
        // blocking publishes below would starve), ask without pause while three versions are published.
        typealias Seen = (status: Int, version: String?, markers: Set<Int>)
        let running = Flag(), results = Locked<[[Seen]]>([])
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                var seen: [Seen] = []
                while running.isSet {
                    guard let r = try? server.post("/v1/retrieve", #"{"question":"zorblax marker","k":10}"#) else {
                        seen.append((0, nil, []))
                        continue
                    }
                    seen.append((r.status, r.indexVersion, Self.markers(r)))
                }
                results.mutate { $0.append(seen) }
            }
        }
        for n in 1...3 {
            try corpus.publishMarker(n)
            let expected = "v00000\(n + 1)"
            #expect(
                try eventually(timeout: 30) { try server.get("/healthz").indexVersion == expected },
                "the replica never switched to \(expected)")
        }
        running.clear()
        group.wait()
        var all: [Seen] = []
        for seen in results.value {
            // Each client sees versions in order: a switch is never undone.
            let versions = seen.compactMap(\.version)
            #expect(versions == versions.sorted(), "a client saw versions out of order: \(versions)")
            all += seen
        }
        #expect(all.count >= 8)
        #expect(all.allSatisfy { $0.status == 200 }, "failed requests (0: no response): \(all.filter { $0.status != 200 }.map(\.status))")
        // Version vN holds markers 1..N-1, all of them and nothing newer.
        for r in all {
            let n = Int(try #require(r.version).dropFirst())!
            #expect(r.markers == Set(1..<n), "\(r.version!) answered with markers \(r.markers.sorted())")
        }
        #expect(Set(all.compactMap(\.version)).count >= 2, "the clients saw only one version")
        let metrics = try server.get("/metrics").body
        #expect(metrics.contains(#"lore_index_reloads_total{outcome="switched"} 3"#))
        #expect(metrics.contains("lore_index_version 4"))
    }

    @Test("without watching, SIGHUP and POST /admin/reload (admin keys only) switch; keys come from the served version")
    func reloadTriggers() async throws {
        let corpus = try PublishedCorpus()
        let keys = KeyedStore(existing: corpus.work)
        let admin = try await keys.create("ops", scope: "admin")
        let reader = try await keys.create("app", scope: "query")
        try corpus.publish(corpus.extra)  // v000002 holds the keys
        let server = try corpus.replica(watch: 0, unauthenticated: false)
        #expect(try await server.post("/v1/retrieve", #"{"question":"WAL"}"#, headers: reader.bearer).indexVersion == "v000002")

        // A key made after the publish is unknown to the replica until it serves a version that has it.
        let late = try await keys.create("late", scope: "query")
        #expect(try await server.post("/v1/retrieve", #"{"question":"WAL"}"#, headers: late.bearer).status == 401)

        try corpus.publishMarker(1)  // v000003, with the late key
        #expect(try await server.get("/healthz").indexVersion == "v000002", "the replica switched without being asked")
        let forbidden = try await server.post("/admin/reload", "{}", headers: reader.bearer)
        #expect(forbidden.status == 403)
        #expect(try await server.post("/admin/reload", "{}").status == 401)
        let reload = try await server.post("/admin/reload", "{}", headers: admin.bearer)
        #expect(reload.status == 200)
        #expect(reload.json?["previous"] as? String == "v000002")
        #expect(reload.json?["version"] as? String == "v000003")
        #expect(reload.json?["changed"] as? Bool == true)
        #expect(try await server.post("/v1/retrieve", #"{"question":"WAL"}"#, headers: late.bearer).status == 200)
        let again = try await server.post("/admin/reload", "{}", headers: admin.bearer)
        #expect(again.json?["changed"] as? Bool == false)

        try corpus.publishMarker(2)  // v000004
        #expect(kill(server.pid, SIGHUP) == 0)
        #expect(
            try await eventually(timeout: 30) { try await server.get("/healthz").indexVersion == "v000004" },
            "SIGHUP did not switch the replica")
        let r = try await server.post("/v1/retrieve", #"{"question":"zorblax marker","k":10}"#, headers: reader.bearer)
        #expect(Self.markers(r) == [1, 2])
    }

    @Test("a damaged version is refused with 503 and the previous one goes on serving; rollback points back at a good one")
    func damagedVersion() throws {
        let corpus = try PublishedCorpus()
        let server = try corpus.replica(watch: 0)
        try corpus.publishMarker(1)
        let damaged = corpus.index + "/versions/v000002/lore.db"
        chmod(damaged, 0o644)
        let handle = try #require(FileHandle(forWritingAtPath: damaged))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("garbage".utf8))
        try handle.close()

        let reload = try server.post("/admin/reload", "{}")
        #expect(reload.status == 503)
        #expect(reload.error?.code == "reload_failed")
        #expect(reload.error?.message.contains("checksum mismatch") == true)
        let still = try server.post("/v1/query", #"{"question":"What is WAL mode?"}"#)
        #expect(still.status == 200)
        #expect(still.indexVersion == "v000001")
        #expect(try server.get("/metrics").body.contains(#"lore_index_reloads_total{outcome="failed"} 1"#))

        let back = try runLore(["versions", "rollback", corpus.index])
        #expect(back.status == 0)
        #expect(back.stdout.contains("current is now v000001 (was v000002)"))
        let refused = try runLore(["versions", "rollback", corpus.index, "--to", "v000002"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("checksum mismatch"))
        let unchanged = try server.post("/admin/reload", "{}")
        #expect(unchanged.status == 200)
        #expect(unchanged.json?["changed"] as? Bool == false)
        let verify = try runLore(["versions", "verify", corpus.index])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("damaged v000002"))
        #expect(verify.stdout.contains("ok      v000001"))
    }

    @Test("document writes on a replica answer 409 read_only_replica and change nothing")
    func readOnly() throws {
        let corpus = try PublishedCorpus()
        let server = try corpus.replica(watch: 0)
        let before = try server.get("/v1/documents?limit=100")
        #expect(before.status == 200)
        let post = try server.post(
            "/v1/documents", ##"{"documents":[{"name":"note.md","text":"# A note\n\nA note that must not be stored on a replica."}]}"##)
        #expect(post.status == 409)
        #expect(post.error?.code == "read_only_replica")
        #expect(post.error?.message.contains("lore ingest --publish") == true)
        let delete = try server.request("DELETE", "/v1/documents/1")
        #expect(delete.status == 409)
        #expect(try server.get("/v1/documents?limit=100").body == before.body)
        #expect(try runLore(["versions", "verify", corpus.index]).status == 0)
    }

    @Test("a replica of an empty directory refuses to start, saying what to run")
    func nothingPublished() throws {
        let dir = TemporaryDirectory("lore-published")
        try FileManager.default.createDirectory(atPath: dir.path + "/index", withIntermediateDirectories: true)
        let r = try runLore(["serve", "--published", dir.path + "/index", "--port", "0", "--unauthenticated"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("nothing is published in \(dir.path)/index"))
        #expect(r.stderr.contains("--publish"))
    }
}

/// A value shared between threads.
final class Locked<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>
    init(_ value: Value) { stored = Mutex(value) }
    var value: Value { stored.withLock { $0 } }
    func mutate(_ body: (inout Value) -> Void) { stored.withLock { body(&$0) } }
}

/// A flag set by one task and read by others.
final class Flag: Sendable {
    private let value = Mutex(true)
    var isSet: Bool { value.withLock { $0 } }
    func clear() { value.withLock { $0 = false } }
}
