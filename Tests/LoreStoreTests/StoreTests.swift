import Foundation
import LoreCore
import LoreTestSupport
import Testing

@testable import LoreStore

/// The store is the system of record: named migrations, atomic replacement of a file's
/// documents, an FTS5 index in step with the chunks, and checks that find damage.
@Suite("Store")
struct StoreTests {
    func document(_ source: String, _ text: String, path: String? = nil) -> PreparedDocument {
        let doc = Document(source: source, path: path ?? source, format: .text, title: source, text: text)
        let chunk = Chunk(
            ordinal: 0, text: text, tokenCount: text.split(separator: " ").count, headingPath: ["Top", "Sub"],
            range: 0..<text.utf8.count, page: nil)
        return PreparedDocument(document: doc, chunks: [chunk])
    }

    @Test("a write starts even when a read statement was left on a row and another connection committed since")
    func staleSnapshot() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/s.db"
        let a = try Store(path: path), b = try Store(path: path)
        try a.connection.execute("CREATE TABLE t(x INTEGER)")
        try a.connection.execute("INSERT INTO t VALUES (1), (2)")
        let reader = try a.connection.prepare("SELECT x FROM t")
        #expect(try reader.step())  // left on its first row: a read snapshot stays open
        try b.connection.transaction { try b.connection.execute("INSERT INTO t VALUES (3)") }
        try a.connection.transaction { try a.connection.execute("INSERT INTO t VALUES (4)") }
        #expect(try a.connection.scalarInt("SELECT count(*) FROM t") == 4)
    }

    @Test("a new store is in WAL mode with foreign keys on and every migration applied once")
    func migrations() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/s.db"
        _ = try Store(path: path)
        let store = try Store(path: path)  // reopening applies nothing twice
        #expect(try store.appliedMigrations() == Migrations.all.map(\.name))
        let mode = try store.connection.prepare("PRAGMA journal_mode")
        _ = try mode.step()
        #expect(mode.text(0) == "wal")
        mode.reset()
        #expect(try store.connection.scalarInt("PRAGMA foreign_keys") == 1)
    }

    @Test("replacing a file swaps its documents, chunks and index entries together")
    func replaceFile() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path + "/s.db")
        let c = try store.collectionID(named: "default")
        let facts = FileFacts(sha256: "aa", mtime: 1, size: 10)
        let first = try store.replaceFile(
            collectionID: c, path: "/a.txt", file: facts, documents: [document("/a.txt", "alpha bravo charlie")])
        #expect(first.documents == 1 && first.chunks == 1 && first.replaced == 0)
        #expect(try store.searchText("bravo").count == 1)
        #expect(try store.searchText("sub").count == 1, "the heading path is indexed too")

        let second = try store.replaceFile(
            collectionID: c, path: "/a.txt", file: FileFacts(sha256: "bb", mtime: 2, size: 11),
            documents: [document("/a.txt", "delta echo foxtrot")])
        #expect(second.replaced == 1)
        #expect(try store.searchText("bravo").isEmpty)
        #expect(try store.searchText("echo").count == 1)
        #expect(try store.fileHashes(collectionID: c) == ["/a.txt": "bb"])
        #expect(try store.checkIntegrity().isConsistent)
    }

    @Test("a duplicate of a stored text is refused and reported, naming the original")
    func duplicates() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path + "/s.db")
        let c = try store.collectionID(named: "default")
        _ = try store.replaceFile(collectionID: c, path: "/a.txt", file: nil, documents: [document("/a.txt", "same words here")])
        let r = try store.replaceFile(collectionID: c, path: "/b.txt", file: nil, documents: [document("/b.txt", "same words here")])
        #expect(r.documents == 0)
        #expect(r.duplicates.map(\.of) == ["/a.txt"])
        // Another collection may hold the same text.
        let other = try store.collectionID(named: "other")
        #expect(
            try store.replaceFile(collectionID: other, path: "/b.txt", file: nil, documents: [document("/b.txt", "same words here")])
                .documents == 1)
    }

    @Test("an error inside a transaction leaves nothing behind")
    func rollback() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path + "/s.db")
        let c = try store.collectionID(named: "default")
        _ = try store.replaceFile(collectionID: c, path: "/a.txt", file: nil, documents: [document("/a.txt", "kept text stays")])
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.connection.transaction {
                _ = try store.replaceFile(collectionID: c, path: "/a.txt", file: nil, documents: [document("/a.txt", "replacement text")])
                throw Boom()
            }
        }
        #expect(try store.searchText("kept").count == 1)
        #expect(try store.searchText("replacement").isEmpty)
        #expect(try store.checkIntegrity().isConsistent)
    }

    @Test("removing a file removes its chunks from the index")
    func removeFile() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path + "/s.db")
        let c = try store.collectionID(named: "default")
        _ = try store.replaceFile(collectionID: c, path: "/a.txt", file: nil, documents: [document("/a.txt", "golf hotel india")])
        #expect(try store.removeFile(collectionID: c, path: "/a.txt") == 1)
        #expect(try store.searchText("hotel").isEmpty)
        #expect(try store.documents(collectionID: c).isEmpty)
        #expect(try store.checkIntegrity().isConsistent)
    }

    @Test("the integrity check finds a chunk deleted behind the index's back")
    func integrityCheckFindsDamage() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path + "/s.db")
        let c = try store.collectionID(named: "default")
        _ = try store.replaceFile(collectionID: c, path: "/a.txt", file: nil, documents: [document("/a.txt", "juliet kilo lima")])
        try store.connection.execute("PRAGMA foreign_keys = OFF; DELETE FROM chunks;")
        let report = try store.checkIntegrity()
        #expect(!report.isConsistent)
        #expect(report.problems.contains { $0.contains("no chunks") })
    }

    @Test("a reader sees committed data while a writer holds a transaction open")
    func readersAreNotBlocked() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/s.db"
        let writer = try Store(path: path)
        let c = try writer.collectionID(named: "default")
        _ = try writer.replaceFile(collectionID: c, path: "/a.txt", file: nil, documents: [document("/a.txt", "mike november oscar")])
        let reader = try Store(path: path, readOnly: true)
        try writer.connection.execute("BEGIN IMMEDIATE")
        _ = try writer.replaceFile(collectionID: c, path: "/b.txt", file: nil, documents: [document("/b.txt", "papa quebec romeo")])
        #expect(try reader.searchText("november").count == 1, "committed data is visible")
        #expect(try reader.searchText("quebec").isEmpty, "uncommitted data is not")
        try writer.connection.execute("COMMIT")
        #expect(try reader.searchText("quebec").count == 1)
    }

    @Test("stats count documents by format, chunks, tokens and collections")
    func stats() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path + "/s.db")
        let c = try store.collectionID(named: "default")
        _ = try store.replaceFile(collectionID: c, path: "/a.txt", file: nil, documents: [document("/a.txt", "one two three")])
        _ = try store.replaceFile(collectionID: c, path: "/b.txt", file: nil, documents: [document("/b.txt", "four five")])
        let s = try store.stats()
        #expect(s.documents == 2 && s.chunks == 2 && s.tokens == 5)
        #expect(s.documentsByFormat == ["txt": 2])
        #expect(s.collections.map(\.name) == ["default"])
        #expect(s.vectorsByModel.isEmpty)
        #expect(s.databaseBytes > 0)
    }
}
