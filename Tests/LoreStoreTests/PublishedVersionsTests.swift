import Foundation
import LoreCore
import LoreStore
import LoreTestSupport
import Testing

/// Published versions are complete, checksummed, read-only copies; `current` always names a
/// complete one; old versions are kept to a count; rollback refuses a damaged version.
@Suite("Published index versions")
struct PublishedVersionsTests {
    /// A store with one document per text in `texts`.
    func store(_ dir: TemporaryDirectory, _ texts: [String]) throws -> Store {
        let s = try Store(path: dir.path + "/work.db")
        let cid = try s.collectionID(named: "default")
        for (i, text) in texts.enumerated() {
            let doc = Document(source: "d\(i).txt", path: "d\(i).txt", format: .text, title: "d\(i)", text: text)
            let chunk = Chunk(ordinal: 0, text: text, tokenCount: 8, headingPath: [], range: 0..<text.utf8.count, page: nil)
            _ = try s.replaceFile(
                collectionID: cid, path: "d\(i).txt", file: nil, documents: [PreparedDocument(document: doc, chunks: [chunk])])
        }
        return s
    }

    func documents(in path: String) throws -> Int {
        Int(try Store(path: path, readOnly: true).connection.scalarInt("SELECT count(*) FROM documents") ?? -1)
    }

    @Test("a version is a consistent, sealed copy whose manifest matches the file, and current points at it")
    func publishOnce() throws {
        let dir = TemporaryDirectory("lore-versions")
        let s = try store(dir, ["The write-ahead log lets readers go on.", "Vacuum rebuilds the file."])
        let published = PublishedVersions(root: dir.path + "/index")
        let outcome = try published.publish(s, keep: 5)
        #expect(outcome.version.name == "v000001")
        #expect(outcome.previous == nil)
        #expect(try published.current()?.name == "v000001")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.path + "/index/current") == "versions/v000001")
        #expect(try documents(in: published.currentDatabasePath) == 2)
        #expect(outcome.version.manifest.collections.map(\.documents) == [2])
        // The copy opens read-only with no journal or WAL beside it, and is read-only on disk.
        let copy = try Store(path: outcome.version.database, readOnly: true)
        let journal = try copy.connection.prepare("PRAGMA journal_mode")
        #expect(try journal.step())
        #expect(journal.text(0) == "delete")
        let mode = try FileManager.default.attributesOfItem(atPath: outcome.version.database)[.posixPermissions] as? Int
        #expect(mode == 0o444)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/index/versions/v000001").sorted()
        #expect(files == ["lore.db", "manifest.json"])
        #expect(try published.verify("v000001").manifest.sha256 == outcome.version.manifest.sha256)
        #expect(
            outcome.version.manifest.sha256 == SHA256.hex(of: Array(try Data(contentsOf: URL(fileURLWithPath: outcome.version.database)))))
    }

    @Test("later writes to the store do not reach a published version")
    func versionsAreSnapshots() throws {
        let dir = TemporaryDirectory("lore-versions")
        let s = try store(dir, ["one document"])
        let published = PublishedVersions(root: dir.path + "/index")
        let first = try published.publish(s, keep: 5).version
        let cid = try s.collectionID(named: "default")
        let doc = Document(source: "late.txt", path: "late.txt", format: .text, title: "late", text: "a later document")
        _ = try s.replaceFile(
            collectionID: cid, path: "late.txt", file: nil,
            documents: [
                PreparedDocument(
                    document: doc,
                    chunks: [Chunk(ordinal: 0, text: doc.text, tokenCount: 3, headingPath: [], range: 0..<doc.text.utf8.count, page: nil)])
            ])
        let second = try published.publish(s, keep: 5)
        #expect(second.version.name == "v000002")
        #expect(second.previous == "v000001")
        #expect(try documents(in: first.database) == 1)
        #expect(try documents(in: second.version.database) == 2)
        #expect(try published.current()?.name == "v000002")
        try published.verify("v000001")
    }

    @Test("only the newest versions are kept, and never is current removed")
    func keepCount() throws {
        let dir = TemporaryDirectory("lore-versions")
        let s = try store(dir, ["text"])
        let published = PublishedVersions(root: dir.path + "/index")
        for _ in 0..<4 { _ = try published.publish(s, keep: 2) }
        #expect(try published.list().map(\.name) == ["v000003", "v000004"])
        // Roll back to v000003, then publish with keep 1: v000005 is current, v000003 and v000004 go.
        _ = try published.rollback()
        #expect(try published.current()?.name == "v000003")
        let outcome = try published.publish(s, keep: 1)
        #expect(outcome.version.name == "v000005")
        #expect(outcome.removed == ["v000003", "v000004"])
        #expect(try published.list().map(\.name) == ["v000005"])
        #expect(throws: StoreError.self) { try published.publish(s, keep: 0) }
    }

    @Test("rollback goes to the previous version or a named one, and refuses a damaged or missing one")
    func rollback() throws {
        let dir = TemporaryDirectory("lore-versions")
        let s = try store(dir, ["text"])
        let published = PublishedVersions(root: dir.path + "/index")
        for _ in 0..<3 { _ = try published.publish(s, keep: 5) }
        let back = try published.rollback()
        #expect(back.from == "v000003" && back.to == "v000002")
        #expect(try published.rollback(to: "v000003").to == "v000003")
        let missing = #expect(throws: StoreError.self) { try published.rollback(to: "v000009") }
        #expect(missing?.description.contains("no version v000009") == true)

        // Damage v000002: rollback to it is refused, and current stays.
        let damaged = published.databasePath(of: "v000002")
        chmod(damaged, 0o644)
        let handle = try #require(FileHandle(forWritingAtPath: damaged))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data([0xFF, 0xFE]))
        try handle.close()
        let refused = #expect(throws: StoreError.self) { try published.rollback() }
        #expect(refused?.description.contains("checksum mismatch") == true)
        #expect(refused?.description.contains(damaged) == true)
        #expect(try published.current()?.name == "v000003")

        let first = PublishedVersions(root: dir.path + "/fresh")
        _ = try first.publish(s, keep: 5)
        let none = #expect(throws: StoreError.self) { try first.rollback() }
        #expect(none?.description.contains("no version older than v000001") == true)
    }

    @Test("a publish that died half-way leaves current at a complete version, and the next one cleans up")
    func interruptedPublish() throws {
        let dir = TemporaryDirectory("lore-versions")
        let s = try store(dir, ["text"])
        let published = PublishedVersions(root: dir.path + "/index")
        _ = try published.publish(s, keep: 5)
        // What a crash leaves: a staging directory with a partial copy, and a stray link.
        let staging = dir.path + "/index/versions/.staging-v000002-99999"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: staging + "/lore.db", contents: Data("partial".utf8)))
        symlink("versions/v000002", dir.path + "/index/.current-99999")
        #expect(try published.list().map(\.name) == ["v000001"])
        #expect(try published.current()?.name == "v000001")
        let next = try published.publish(s, keep: 5)
        #expect(next.version.name == "v000002")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/index/versions").sorted()
        #expect(left == ["v000001", "v000002"])
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/index/.current-99999"))
    }

    @Test("an empty or missing directory says so")
    func nothingPublished() throws {
        let dir = TemporaryDirectory("lore-versions")
        let missing = #expect(throws: StoreError.self) { try PublishedVersions(root: dir.path + "/nope").list() }
        #expect(missing?.description.contains("no such published directory") == true)
        try FileManager.default.createDirectory(atPath: dir.path + "/empty", withIntermediateDirectories: true)
        #expect(try PublishedVersions(root: dir.path + "/empty").current() == nil)
        #expect(try PublishedVersions(root: dir.path + "/empty").list().isEmpty)
    }
}
