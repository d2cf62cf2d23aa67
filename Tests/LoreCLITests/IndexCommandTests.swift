import Foundation
import LoreCore
import LoreStore
import LoreTestSupport
import Testing

/// `lore ingest` keeps the vector index current, `lore stats` and `lore index` report and
/// check it, and a process killed while writing a snapshot leaves a usable index.
@Suite("lore index")
struct IndexCommandTests {
    func env(_ extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(extra) { $1 }
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    func run(_ args: [String], _ extra: [String: String] = [:]) throws -> [String: Any] {
        let r = try runLore(args + ["--json"], environment: env(extra))
        #expect(r.status == 0, "lore \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
        return try json(r.stdout)
    }

    func writeTree(_ dir: TemporaryDirectory, files: Int, version: Int = 1) {
        for i in 0..<files {
            var text = "# Topic \(i)\n\n"
            for s in 0..<3 {
                text += "## Part \(s)\n\nVersion \(version): the page cache, write-ahead log and checkpoint number \(i * 3 + s) "
                text += "describe how readers see a consistent snapshot while a writer appends frames.\n\n"
            }
            dir.write("docs/t\(i).md", text)
        }
    }

    @Test("ingest keeps the index current through adds, edits and removals; stats and verify report it")
    func ingestKeepsIndexCurrent() throws {
        let dir = TemporaryDirectory()
        writeTree(dir, files: 6)
        let db = dir.path + "/lore.db"
        let first = try run(["ingest", dir.path + "/docs", "--db", db])
        let chunks = try #require(first["chunks"] as? Int)
        let index = try #require(first["index"] as? [String: Any])
        #expect(index["kind"] as? String == "flat" && index["vectors"] as? Int == chunks && index["saved"] as? Bool == true)

        // An edit and a removal: the index follows.
        writeTree(dir, files: 5, version: 2)
        try FileManager.default.removeItem(atPath: dir.path + "/docs/t5.md")
        let second = try run(["ingest", dir.path + "/docs", "--db", db, "--prune"])
        let stored = try Store(path: db)
        let vectors = Int(try stored.connection.scalarInt("SELECT count(*) FROM vectors") ?? -1)
        #expect((second["index"] as? [String: Any])?["vectors"] as? Int == vectors)

        let stats = try run(["stats", "--db", db])
        let described = try #require((stats["indexes"] as? [String: Any])?["default"] as? [String: Any])
        #expect(described["kind"] as? String == "flat" && described["vectors"] as? Int == vectors && described["tombstones"] as? Int == 0)
        #expect(described["pending_changes"] as? Int == 0)

        let verify = try run(["index", "verify", "--db", db])
        #expect(verify["ok"] as? Bool == true && verify["recall_at_10"] as? Double == 1.0 && verify["vectors"] as? Int == vectors)
        // Nothing changed: build has nothing to save.
        #expect((try run(["index", "build", "--db", db])["index"] as? [String: Any])?["saved"] as? Bool == false)
    }

    @Test("HNSW by configuration: edits leave tombstones, stats shows them, rebuild clears them")
    func hnswTombstones() throws {
        let dir = TemporaryDirectory()
        writeTree(dir, files: 8)
        let db = dir.path + "/lore.db"
        let hnsw = ["LORE_INDEX_KIND": "hnsw"]
        let first = try run(["ingest", dir.path + "/docs", "--db", db], hnsw)
        #expect((first["index"] as? [String: Any])?["kind"] as? String == "hnsw")
        writeTree(dir, files: 1, version: 3)  // t0.md changes: its old chunks become tombstones
        _ = try run(["ingest", dir.path + "/docs", "--db", db], hnsw)
        let stats = try run(["index", "stats", "--db", db], hnsw)
        let described = try #require(stats["index"] as? [String: Any])
        #expect(described["kind"] as? String == "hnsw")
        #expect((described["tombstones"] as? Int ?? 0) > 0)
        #expect((described["hnsw"] as? [String: Any])?["m"] as? Int == 16)
        let verify = try run(["index", "verify", "--db", db], hnsw)
        #expect(verify["ok"] as? Bool == true && (verify["recall_at_10"] as? Double ?? 0) >= 0.9)
        #expect(verify["unreachable_nodes"] as? Int == 0, "every live node is reachable from the entry point")
        let rebuilt = try run(["index", "rebuild", "--db", db], hnsw)
        #expect((rebuilt["index"] as? [String: Any])?["tombstones"] as? Int == 0)
    }

    @Test("search honours source, format and metadata filters, and refuses bad ones by name")
    func filteredSearch() throws {
        let dir = TemporaryDirectory()
        writeTree(dir, files: 3)
        dir.write("docs/notes.txt", "Checkpoints copy pages from the write-ahead log back into the database file when it grows.")
        dir.write(
            "docs/records.jsonl",
            """
            {"text": "The write-ahead log lets readers continue while a writer commits.", "team": "storage"}
            {"text": "Vacuum rebuilds the database file to reclaim free pages after deletes.", "team": "ops"}
            """)
        let db = dir.path + "/lore.db"
        _ = try run(["ingest", dir.path + "/docs", "--db", db])
        func hits(_ extra: [String]) throws -> [[String: Any]] {
            try #require(
                try run(["index", "search", "write-ahead log readers and writers", "--db", db, "--k", "5"] + extra)["hits"]
                    as? [[String: Any]])
        }
        let all = try hits([])
        #expect(all.count == 5)
        #expect(zip(all, all.dropFirst()).allSatisfy { ($0["score"] as? Double ?? 0) >= ($1["score"] as? Double ?? 0) })
        let md = try hits(["--format", "md"])
        #expect(!md.isEmpty && md.allSatisfy { ($0["source"] as? String ?? "").hasSuffix(".md") })
        let txt = try hits(["--source", "*/notes.txt"])
        #expect(txt.count == 1 && (txt[0]["source"] as? String ?? "").hasSuffix("notes.txt"))
        let team = try hits(["--meta", "team=ops"])
        #expect(team.count == 1 && (team[0]["text"] as? String ?? "").contains("Vacuum"))
        #expect(try hits(["--meta", "team=nobody"]).isEmpty)

        let badFormat = try runLore(["index", "search", "x", "--db", db, "--format", "rtf"])
        #expect(badFormat.status != 0 && badFormat.stderr.contains("--format rtf"))
        let badMeta = try runLore(["index", "search", "x", "--db", db, "--meta", "team"])
        #expect(badMeta.status != 0 && badMeta.stderr.contains("--meta team"))
        let badK = try runLore(["index", "search", "x", "--db", db, "--k", "0"])
        #expect(badK.status != 0 && badK.stderr.contains("--k"))
    }

    @Test("bad index settings and a missing collection are refused by name")
    func badInput() throws {
        let dir = TemporaryDirectory()
        writeTree(dir, files: 1)
        let db = dir.path + "/lore.db"
        _ = try run(["ingest", dir.path + "/docs", "--db", db, "--embedder", "none"])
        let kind = try runLore(["index", "build", "--db", db], environment: env(["LORE_INDEX_KIND": "annoy"]))
        #expect(kind.status != 0 && kind.stderr.contains("index.kind"))
        let m = try runLore(["index", "build", "--db", db], environment: env(["LORE_INDEX_EF_SEARCH": "0"]))
        #expect(m.status != 0 && m.stderr.contains("ef_search"))
        let missing = try runLore(["index", "stats", "--db", db, "--collection", "nope"])
        #expect(missing.status != 0 && missing.stderr.contains("nope"))
    }

    /// Stores `count` random unit vectors as one-chunk documents, bound to MiniLM's id.
    func fillStore(_ db: String, range: Range<Int>, seed: UInt64) throws {
        let store = try Store(path: db)
        let cid = try store.collectionID(named: "default")
        let model = EmbeddingModelInfo(id: "all-MiniLM-L6-v2", dimension: 384)
        if try store.embeddingModel(collectionID: cid) == nil { try store.setEmbeddingModel(collectionID: cid, model) }
        var state = seed
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
        try store.connection.transaction {
            for i in range {
                var v = (0..<384).map { _ in next() }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                v = v.map { $0 / norm }
                let text = "vector document \(i)"
                _ = try store.replaceFile(
                    collectionID: cid, path: "v\(i).txt", file: nil,
                    documents: [
                        PreparedDocument(
                            document: Document(source: "v\(i).txt", path: "v\(i).txt", format: .text, title: "v\(i)", text: text),
                            chunks: [Chunk(ordinal: 0, text: text, tokenCount: 3, headingPath: [], range: 0..<text.utf8.count, page: nil)],
                            vectors: [v], model: model.id)
                    ])
            }
        }
    }

    @Test("a process killed while writing a snapshot leaves the previous one, which still loads current", .timeLimit(.minutes(3)))
    func killedDuringSnapshotWrite() throws {
        let dir = TemporaryDirectory()
        let db = dir.path + "/lore.db"
        try fillStore(db, range: 0..<2000, seed: 1)
        let small = ["LORE_INDEX_SNAPSHOT_PART_BYTES": "4096", "LORE_INDEX_KIND": "hnsw"]
        let built = try run(["index", "build", "--db", db], small)
        #expect((built["index"] as? [String: Any])?["vectors"] as? Int == 2000)
        let before = try #require(try run(["index", "stats", "--db", db], small)["index"] as? [String: Any])
        try fillStore(db, range: 2000..<2300, seed: 2)  // logged, not yet in the snapshot

        // Rebuild with a line per part written; kill it after the fifth part.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.loreBinary)
        p.arguments = ["index", "rebuild", "--db", db, "--verbose"]
        p.environment = env(small)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        ChildWatchdog.watch(p.processIdentifier)
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("wrote part 5\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let output = String(decoding: seen, as: UTF8.self)
        #expect(output.contains("wrote part 5"), "the rebuild was writing parts")
        #expect(!output.contains("saved"), "killed before it finished")

        // The old snapshot is intact; loading it replays the 300 later vectors.
        let after = try #require(try run(["index", "stats", "--db", db], small)["index"] as? [String: Any])
        #expect(after["snapshot_created"] as? String == before["snapshot_created"] as? String)
        #expect(after["snapshot_parts"] as? Int == before["snapshot_parts"] as? Int)
        #expect(after["pending_changes"] as? Int == 300)
        let verify = try run(["index", "verify", "--db", db], small)
        #expect(verify["ok"] as? Bool == true && verify["vectors"] as? Int == 2300, "\(verify)")
        // The next build completes the work.
        let rebuilt = try run(["index", "build", "--db", db], small)
        #expect((rebuilt["index"] as? [String: Any])?["vectors"] as? Int == 2300)
        #expect(try run(["index", "stats", "--db", db], small)["index"].flatMap { ($0 as? [String: Any])?["pending_changes"] as? Int } == 0)
    }
}
