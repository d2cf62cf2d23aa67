import Foundation
import LoreIndex
import LoreTestSupport
import Testing

@testable import LoreStore

/// The index lives in the store's file: snapshots round-trip exactly, the change log
/// keeps a reloaded index current, and damage or a model change means a rebuild from the
/// stored vectors, never a crash or a wrong answer.
@Suite("Index persistence")
struct IndexPersistenceTests {
    let data = SeededVectors(count: 2500, seed: 17)

    func store(_ dir: TemporaryDirectory) throws -> Store { try Store(path: dir.path + "/lore.db") }

    func settings(_ kind: IndexKind) -> IndexSettings {
        IndexSettings(kind: kind, partBytes: 64 << 10)  // small parts: a snapshot spans many
    }

    func answers(_ index: any VectorIndex, _ queries: [[Float]]) -> [[SearchHit]] { queries.map { index.search($0, k: 10) } }

    @Test("a saved index reloads with the same answers, for both kinds", arguments: IndexKind.allCases)
    func roundTrip(kind: IndexKind) throws {
        let dir = TemporaryDirectory()
        let s = try store(dir)
        try VectorStore.fill(s, vectors: data, rows: 0..<2500)
        let manager = IndexManager(store: s, settings: settings(kind))
        let cid = try s.collectionID(named: "default")
        let report = try #require(try manager.sync(collectionID: cid))
        #expect(report.kind == kind && report.count == 2500 && report.saved && report.origin == .built)
        let parts = try #require(try s.indexSnapshot(collectionID: cid)).parts
        #expect(parts > 10)

        let reloaded = try #require(try IndexManager(store: try store(dir), settings: settings(kind)).load(collectionID: cid))
        let again = try #require(try IndexManager(store: try store(dir), settings: settings(kind)).load(collectionID: cid))
        #expect(reloaded.origin == .snapshot && reloaded.replayed == 0)
        #expect(reloaded.index.kind == kind && reloaded.index.count == 2500)
        let queries = data.queries(30, seed: 1)
        #expect(answers(reloaded.index, queries) == answers(again.index, queries))
        // Chunk ids are the rows' order plus one here: the reloaded index finds the true neighbours.
        var found = 0
        for q in queries { found += Set(data.exact(q, k: 10)).intersection(reloaded.index.search(q, k: 10).map(\.label)).count }
        #expect(found >= 295, "recall \(found) of 300")
        // Nothing changed: a second sync writes nothing.
        #expect(try manager.sync(collectionID: cid)?.saved == false)
    }

    @Test("changes after the snapshot are replayed on load: adds, deletes and updates")
    func replay() throws {
        let dir = TemporaryDirectory()
        let s = try store(dir)
        let ids = try VectorStore.fill(s, vectors: data, rows: 0..<2000)
        let cid = try s.collectionID(named: "default")
        let manager = IndexManager(store: s, settings: settings(.hnsw))
        try manager.sync(collectionID: cid)

        let added = try VectorStore.fill(s, vectors: data, rows: 2000..<2100)
        _ = try s.removeFile(collectionID: cid, path: "doc5.txt")
        // doc7 is rewritten with doc 2050's vector under a new chunk id.
        try s.connection.transaction {
            _ = try s.replaceFile(
                collectionID: cid, path: "doc7.txt", file: nil,
                documents: [
                    PreparedDocument(
                        document: .init(source: "doc7.txt", path: "doc7.txt", format: .text, title: "7", text: "seven again"),
                        chunks: [.init(ordinal: 0, text: "seven again", tokenCount: 2, headingPath: [], range: 0..<11, page: nil)],
                        vectors: [data.row(2050)], model: VectorStore.model.id)
                ])
        }
        let loaded = try #require(try IndexManager(store: try store(dir), settings: settings(.hnsw)).load(collectionID: cid))
        #expect(loaded.origin == .snapshot)
        #expect(loaded.replayed >= 102)
        #expect(loaded.index.count == 2099)
        #expect(!loaded.index.contains(label: ids[5]))
        #expect(!loaded.index.contains(label: ids[7]))
        for (i, id) in added.enumerated().prefix(20) { #expect(loaded.index.search(data.row(2000 + i), k: 1).first?.label == id) }
        let doc7 = try #require(
            try s.connection.scalarInt("SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source = 'doc7.txt'"))
        #expect(Set(loaded.index.search(data.row(2050), k: 2).map(\.label)) == [doc7, added[50]])
        #expect(!loaded.index.search(data.row(5), k: 10).contains { $0.label == ids[5] })
    }

    @Test("a corrupted part is detected, and the index is rebuilt from the vectors with a warning")
    func corruptedPart() throws {
        let dir = TemporaryDirectory()
        let s = try store(dir)
        try VectorStore.fill(s, vectors: data, rows: 0..<2500)
        let cid = try s.collectionID(named: "default")
        let manager = IndexManager(store: s, settings: settings(.hnsw))
        try manager.sync(collectionID: cid)
        let queries = data.queries(20, seed: 2)
        let before = answers(try #require(try manager.load(collectionID: cid)).index, queries)

        // Flip one byte in the middle of part 3.
        try s.connection.execute("UPDATE index_parts SET data = substr(data, 1, 1000) || X'5A' || substr(data, 1002) WHERE part = 3")
        let verify = try manager.verify(collectionID: cid)
        #expect(verify.problems.contains { $0.contains("part 3 fails its checksum") }, "\(verify.problems)")

        let loaded = try #require(try IndexManager(store: try store(dir), settings: settings(.hnsw)).load(collectionID: cid))
        #expect(loaded.origin == .rebuilt)
        #expect(loaded.index.count == 2500)
        // Rebuilt from the same vectors with the same seed on the same threads: same quality.
        let after = answers(loaded.index, queries)
        var same = 0
        for (a, b) in zip(before, after) { same += Set(a.map(\.label)).intersection(b.map(\.label)).count }
        #expect(same >= 190)
        // sync repairs the stored snapshot.
        #expect(try manager.sync(collectionID: cid)?.saved == true)
        #expect(try manager.verify(collectionID: cid).problems.isEmpty)
    }

    @Test("a missing or truncated snapshot means a rebuild, not a crash")
    func missingParts() throws {
        let dir = TemporaryDirectory()
        let s = try store(dir)
        try VectorStore.fill(s, vectors: data, rows: 0..<1000)
        let cid = try s.collectionID(named: "default")
        let manager = IndexManager(store: s, settings: settings(.flat))
        try manager.sync(collectionID: cid)
        try s.connection.execute("DELETE FROM index_parts WHERE part = (SELECT max(part) FROM index_parts)")
        #expect(try manager.load(collectionID: cid)?.origin == .rebuilt)
        try s.connection.execute("DELETE FROM index_parts")
        #expect(try manager.load(collectionID: cid)?.origin == .rebuilt)
        try s.connection.execute("DELETE FROM index_snapshots")
        let built = try #require(try manager.load(collectionID: cid))
        #expect(built.origin == .built && built.index.count == 1000)
    }

    @Test("a snapshot built for another model is not used")
    func modelChange() throws {
        let dir = TemporaryDirectory()
        let s = try store(dir)
        try VectorStore.fill(s, vectors: data, rows: 0..<500)
        let cid = try s.collectionID(named: "default")
        let manager = IndexManager(store: s, settings: settings(.flat))
        try manager.sync(collectionID: cid)
        try s.setEmbeddingModel(collectionID: cid, EmbeddingModelInfo(id: "other-model", dimension: 384))
        #expect(try manager.load(collectionID: cid)?.origin == .rebuilt)
        #expect(try manager.verify(collectionID: cid).problems.contains { $0.contains("test-model") })
    }

    @Test("the index kind follows the size threshold, and tombstones past their share trigger a rebuild")
    func automaticChoices() throws {
        let dir = TemporaryDirectory()
        let s = try store(dir)
        let ids = try VectorStore.fill(s, vectors: data, rows: 0..<1000)
        let cid = try s.collectionID(named: "default")
        var settings = IndexSettings(hnswThreshold: 1500, rebuildTombstoneShare: 0.2)
        let manager = IndexManager(store: s, settings: settings)
        #expect(try manager.sync(collectionID: cid)?.kind == .flat)
        try VectorStore.fill(s, vectors: data, rows: 1000..<2000)
        let grown = try #require(try manager.sync(collectionID: cid))
        #expect(grown.kind == .hnsw && grown.origin == .rebuilt)

        settings.hnswThreshold = 0
        let hnswOnly = IndexManager(store: s, settings: settings)
        for i in 0..<300 { _ = try s.removeFile(collectionID: cid, path: "doc\(i).txt") }  // 15% of nodes
        let some = try #require(try hnswOnly.sync(collectionID: cid))
        #expect(some.origin == .snapshot && some.tombstones == 300)
        for i in 300..<500 { _ = try s.removeFile(collectionID: cid, path: "doc\(i).txt") }  // 25%
        let rebuilt = try #require(try hnswOnly.sync(collectionID: cid))
        #expect(rebuilt.origin == .rebuilt && rebuilt.tombstones == 0 && rebuilt.count == 1500)
        #expect(try hnswOnly.load(collectionID: cid)?.index.contains(label: ids[0]) == false)
    }

    @Test("the change log records inserts and deletes, including cascades, and is pruned by snapshots")
    func changeLog() throws {
        let dir = TemporaryDirectory()
        let s = try store(dir)
        try VectorStore.fill(s, vectors: data, rows: 0..<10)
        #expect(try s.indexLog(after: 0).filter(\.added).count == 10)
        let cid = try s.collectionID(named: "default")
        _ = try s.removeFile(collectionID: cid, path: "doc3.txt")  // documents → chunks → vectors cascade
        #expect(try s.indexLog(after: 0).filter { !$0.added }.count == 1)
        try IndexManager(store: s, settings: settings(.flat)).sync(collectionID: cid)
        #expect(try s.indexLog(after: 0).isEmpty)
        try VectorStore.fill(s, vectors: data, rows: 10..<12)
        #expect(try s.indexLog(after: 0).count == 2)
    }
}
