import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// `kill -9` at any moment leaves the database consistent, and the next run completes the work.
@Suite("lore ingest: crash safety")
struct IngestCrashSafetyTests {
    /// Writes `count` Markdown files of a few chunks each; `version` changes their content.
    func writeTree(_ dir: TemporaryDirectory, count: Int, version: Int) {
        for i in 0..<count {
            var text = "# Document \(i)\n\n"
            for s in 0..<12 {
                text += "## Section \(s)\n\nVersion \(version) of paragraph \(s) in document \(i) describes topic \(i * 31 + s) "
                text += String(repeating: "with several more words about storage engines and transactions ", count: 6) + ".\n\n"
            }
            dir.write("tree/d\(i / 100)/doc\(i).md", text)
        }
    }

    /// Starts `lore ingest --verbose`, waits for `lines` completed files on its standard
    /// output, then kills it with SIGKILL. Returns the lines seen.
    func ingestAndKill(tree: String, db: String, afterLines lines: Int) throws -> Int {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.loreBinary)
        p.arguments = ["ingest", tree, "--db", db, "--verbose", "--embedder", "none"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        ChildWatchdog.watch(p.processIdentifier)
        var seen = 0
        var buffer = Data()
        let handle = out.fileHandleForReading
        while seen < lines {
            let chunk = handle.availableData
            if chunk.isEmpty { break }  // the process finished first
            buffer.append(chunk)
            seen = buffer.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return seen
    }

    func assertConsistent(_ db: String, _ note: String) throws {
        let store = try Store(path: db)
        let report = try store.checkIntegrity()
        #expect(report.isConsistent, "\(note): \(report.problems)")
        let dupSources = try store.connection.scalarInt(
            "SELECT count(*) FROM (SELECT source FROM documents GROUP BY collection_id, source HAVING count(*) > 1)")
        #expect(dupSources == 0, "\(note): no duplicate document")
        // Every stored document is complete: its chunks are those of a full chunking of its file.
        let partial = try store.connection.scalarInt(
            """
            SELECT count(*) FROM documents d WHERE (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) < 12
            """)
        #expect(partial == 0, "\(note): no half-written document")
    }

    @Test("killed repeatedly mid-run, the store stays consistent and the next run completes", .timeLimit(.minutes(5)))
    func killRepeatedly() throws {
        let dir = TemporaryDirectory()
        let files = 300
        writeTree(dir, count: files, version: 1)
        let tree = dir.path + "/tree"
        let db = dir.path + "/lore.db"

        var kills = 0
        for (round, after) in [1, 25, 60, 5, 120].enumerated() {
            if round == 3 { writeTree(dir, count: files, version: 2) }  // later kills land in updates
            let seen = try ingestAndKill(tree: tree, db: db, afterLines: after)
            if seen >= after { kills += 1 }
            try assertConsistent(db, "after kill \(round) (\(seen) files reported)")
        }
        #expect(kills >= 4, "the process was killed mid-run")

        // The next run completes the work.
        let r = try runLore(["ingest", tree, "--db", db, "--json", "--embedder", "none"])
        #expect(r.status == 0, "\(r.stderr)")
        try assertConsistent(db, "after the final run")
        let store = try Store(path: db)
        #expect(try store.connection.scalarInt("SELECT count(*) FROM documents") == Int64(files))
        #expect(
            try store.connection.scalarInt(
                "SELECT count(*) FROM documents d JOIN chunks c ON c.document_id = d.id WHERE c.text LIKE '%Version 1 %'") == 0,
            "every file is at its latest version")
        #expect(try store.connection.scalarInt("SELECT count(*) FROM ingest_runs WHERE status = 'interrupted'") ?? 0 >= 4)

        // And a clean ingest of the same tree gives the same documents and chunks.
        let clean = dir.path + "/clean.db"
        _ = try runLore(["ingest", tree, "--db", clean, "--json", "--embedder", "none"])
        func contents(_ path: String) throws -> [String] {
            let s = try Store(path: path).connection.prepare(
                "SELECT d.source, c.ordinal, c.text FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY 1, 2")
            var rows: [String] = []
            while try s.step() { rows.append("\(s.text(0))#\(s.int(1))#\(s.text(2))") }
            return rows
        }
        #expect(try contents(db) == contents(clean))
    }
}

/// The same guarantee while embedding: a document's chunks and their vectors land together.
@Suite("lore ingest: crash safety while embedding")
struct IngestEmbeddingCrashTests {
    @Test("killed while embedding, no document is left without its vectors", .timeLimit(.minutes(5)))
    func killWhileEmbedding() throws {
        let dir = TemporaryDirectory()
        for i in 0..<40 {
            var text = "# Note \(i)\n\n"
            for s in 0..<4 { text += "## Part \(s)\n\nNote \(i) part \(s) covers checkpoints, page caches and topic \(i * 7 + s).\n\n" }
            dir.write("tree/n\(i).md", text)
        }
        let tree = dir.path + "/tree", db = dir.path + "/lore.db"
        for after in [1, 3] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestPaths.loreBinary)
            p.arguments = ["ingest", tree, "--db", db, "--verbose"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            ChildWatchdog.watch(p.processIdentifier)
            var seen = 0
            while seen < after {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
                seen += data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let store = try Store(path: db)
            #expect(try store.checkIntegrity().isConsistent)
            #expect(
                try store.connection.scalarInt(
                    "SELECT count(*) FROM chunks c LEFT JOIN vectors v ON v.chunk_id = c.id WHERE v.chunk_id IS NULL") == 0,
                "every stored chunk has its vector")
        }
        let r = try runLore(["ingest", tree, "--db", db, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let store = try Store(path: db)
        #expect(try store.connection.scalarInt("SELECT count(*) FROM documents") == 40)
        #expect(try store.connection.scalarInt("SELECT count(*) FROM chunks") == store.connection.scalarInt("SELECT count(*) FROM vectors"))
    }
}
