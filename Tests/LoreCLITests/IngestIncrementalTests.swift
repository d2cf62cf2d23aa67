import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// Re-ingest is incremental: unchanged files cost nothing, changed files replace their
/// documents atomically, and --prune removes what is gone.
@Suite("lore ingest: incremental and prune")
struct IngestIncrementalTests {
    struct Counts: Decodable, Equatable {
        var ingested: Int, updated: Int, unchanged: Int, removed: Int, skipped: Int
    }

    func ingest(_ args: [String]) throws -> Counts {
        let r = try runLore(["ingest"] + args + ["--json"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        return try JSONDecoder().decode(Counts.self, from: Data(r.stdout.utf8))
    }

    /// Every chunk as (id, document source, text), to compare states of the store.
    func snapshot(_ db: String) throws -> [String] {
        let store = try Store(path: db)
        let s = try store.connection.prepare(
            "SELECT c.id, d.source, d.ingested_at, c.text FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY c.id")
        var rows: [String] = []
        while try s.step() { rows.append("\(s.int(0))|\(s.text(1))|\(s.double(2))|\(s.text(3))") }
        return rows
    }

    @Test("a second run over an unchanged tree reports everything unchanged and writes nothing")
    func unchangedTreeWritesNothing() throws {
        let dir = TemporaryDirectory()
        let tree = dir.copy(TestPaths.corpus, as: "corpus")
        let db = dir.path + "/lore.db"
        let first = try ingest([tree, "--db", db])
        #expect(first.ingested > 10 && first.skipped == 0)
        let before = try snapshot(db)
        let second = try ingest([tree, "--db", db])
        #expect(second == Counts(ingested: 0, updated: 0, unchanged: first.ingested, removed: 0, skipped: 0))
        #expect(try snapshot(db) == before, "no row was rewritten")
    }

    @Test("a changed file replaces its documents; the others keep their rows")
    func changedFileIsReplaced() throws {
        let dir = TemporaryDirectory()
        let tree = dir.path + "/t"
        dir.write("t/a.md", "# Alpha\n\nThe first version talks about apples and orchards.\n")
        dir.write("t/b.txt", "Bananas grow in tropical climates and are picked green.\n")
        let db = dir.path + "/lore.db"
        _ = try ingest([tree, "--db", db])
        let before = try snapshot(db)
        let bRows = before.filter { $0.contains("/t/b.txt|") }

        dir.write("t/a.md", "# Alpha\n\nThe second version talks about apricots instead.\n\n## More\n\nAnd a new section.\n")
        let counts = try ingest([tree, "--db", db])
        #expect(counts == Counts(ingested: 0, updated: 1, unchanged: 1, removed: 0, skipped: 0))
        let after = try snapshot(db)
        #expect(after.filter { $0.contains("/t/b.txt|") } == bRows, "b.txt untouched")
        let aTexts = after.filter { $0.contains("/t/a.md|") }.map { $0.split(separator: "|").last! }
        #expect(aTexts.contains { $0.contains("apricots") })
        #expect(!aTexts.contains { $0.contains("apples") }, "the old version is gone")
        let store = try Store(path: db)
        #expect(try store.searchText("apples").isEmpty, "and gone from the FTS index")
        #expect(try store.searchText("apricots").count == 1)
        #expect(try store.checkIntegrity().isConsistent)
    }

    @Test("--prune removes documents whose files are gone, and only with --prune")
    func prune() throws {
        let dir = TemporaryDirectory()
        let tree = dir.path + "/t"
        dir.write("t/keep.txt", "This document stays in the collection for good.\n")
        dir.write("t/gone.txt", "This document will be deleted from the disk soon.\n")
        let db = dir.path + "/lore.db"
        _ = try ingest([tree, "--db", db])
        try FileManager.default.removeItem(atPath: tree + "/gone.txt")

        let withoutPrune = try ingest([tree, "--db", db])
        #expect(withoutPrune.removed == 0)
        let store = try Store(path: db)
        let collection = try #require(try store.existingCollectionID(named: "default"))
        #expect(try store.documents(collectionID: collection).count == 2)

        let withPrune = try ingest([tree, "--db", db, "--prune"])
        #expect(withPrune == Counts(ingested: 0, updated: 0, unchanged: 1, removed: 1, skipped: 0))
        #expect(try store.documents(collectionID: collection).map(\.path) == [tree + "/keep.txt"])
        #expect(try store.searchText("deleted").isEmpty)
    }

    @Test("collections are separate: --prune never touches another collection")
    func collectionsAreSeparate() throws {
        let dir = TemporaryDirectory()
        dir.write("a/one.txt", "Collection A holds the first document about rivers.\n")
        dir.write("b/two.txt", "Collection B holds another document about mountains.\n")
        let db = dir.path + "/lore.db"
        _ = try ingest([dir.path + "/a", "--db", db, "--collection", "a"])
        _ = try ingest([dir.path + "/b", "--db", db, "--collection", "b"])
        try FileManager.default.removeItem(atPath: dir.path + "/b/two.txt")
        let r = try ingest([dir.path + "/a", "--db", db, "--collection", "a", "--prune"])
        #expect(r.removed == 0)
        let store = try Store(path: db)
        #expect(try store.documents(collectionID: #require(try store.existingCollectionID(named: "b"))).count == 1)
    }

    @Test("an exact duplicate of a stored document is skipped with a finding")
    func duplicates() throws {
        let dir = TemporaryDirectory()
        dir.write("t/one.txt", "Exactly the same text appears in two different files here.\n")
        dir.write("t/two.txt", "Exactly the same text appears in two different files here.\n")
        let r = try runLore(["ingest", dir.path + "/t", "--db", dir.path + "/lore.db", "--json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"check\":\"duplicate\""))
        #expect(r.stdout.contains("exact duplicate of \(dir.path)/t/one.txt"))
    }

    @Test("--include and --exclude select files by glob")
    func globs() throws {
        let dir = TemporaryDirectory()
        let tree = dir.copy(TestPaths.corpus, as: "corpus")
        let db = dir.path + "/lore.db"
        let r = try ingest([tree, "--db", db, "--include", "*.md", "--exclude", "guides/**"])
        let store = try Store(path: db)
        let docs = try store.documents(collectionID: #require(try store.existingCollectionID(named: "default")))
        #expect(r.ingested == docs.count && !docs.isEmpty)
        #expect(docs.allSatisfy { $0.format == "md" && !$0.source.contains("/guides/") })
    }
}
