import Foundation
import Logging
import LoreTestSupport
import Synchronization
import Testing

@testable import LoreIndex
@testable import LoreStore

/// Snapshots written before the checksum became XXH64 (format 1) are recognised by their
/// header and rebuilt from the stored vectors with a warning that says why; the next sync
/// stores a snapshot in the current format.
@Suite("Index snapshot formats")
struct SnapshotFormatTests {
    let data = SeededVectors(count: 600, seed: 23)

    /// Turns the stored (current-format) snapshot into exactly what the format-1 code wrote:
    /// the same parts, each checksummed with the old hash, and `"format": 1` in the header.
    func downgradeToFormat1(_ s: Store, collectionID: Int64) throws {
        var legacy: [(Int, UInt64)] = []
        try s.readIndexParts(collectionID: collectionID) { part, _, bytes in legacy.append((part, Format1Checksum.of(bytes))) }
        #expect(legacy.count > 1)
        try s.connection.transaction {
            let update = try s.connection.prepare("UPDATE index_parts SET checksum = ? WHERE collection_id = ? AND part = ?")
            for (part, sum) in legacy { try update.run([.int(Int64(bitPattern: sum)), .int(collectionID), .int(Int64(part))]) }
            update.reset()
            try s.connection.prepare("UPDATE index_snapshots SET header = json_set(header, '$.format', 1) WHERE collection_id = ?")
                .run([.int(collectionID)])
        }
        var stored: [(Int, UInt64)] = []
        try s.readIndexParts(collectionID: collectionID) { part, sum, _ in stored.append((part, sum)) }
        #expect(stored.map(\.1) == legacy.map(\.1), "the parts now carry the format-1 checksums")
    }

    @Test(
        "a format-1 snapshot is rebuilt with a warning naming the format, then saved in the current format",
        arguments: IndexKind.allCases)
    func format1IsRebuilt(kind: IndexKind) throws {
        let dir = TemporaryDirectory()
        let s = try Store(path: dir.path + "/lore.db")
        try VectorStore.fill(s, vectors: data, rows: 0..<600)
        let cid = try s.collectionID(named: "default")
        let settings = IndexSettings(kind: kind, partBytes: 64 << 10)
        try IndexManager(store: s, settings: settings).sync(collectionID: cid)
        try downgradeToFormat1(s, collectionID: cid)
        let header = try IndexHeader.parse(try #require(try s.indexSnapshot(collectionID: cid)).header)
        #expect(header.format == 1)

        let log = LogCapture()
        let manager = IndexManager(store: s, settings: settings, logger: Logger(label: "test") { _ in log.handler() })
        let loaded = try #require(try manager.load(collectionID: cid))
        #expect(loaded.origin == .rebuilt)
        #expect(loaded.index.count == 600)
        // The rebuilt index answers: each stored vector finds itself (labels are rows + 1 here).
        for row in stride(from: 0, to: 600, by: 37) {
            #expect(loaded.index.search(data.row(row), k: 1).first?.label == Int64(row) + 1)
        }
        let warnings = log.records.withLock { $0 }.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message == "index snapshot unusable, rebuilding from the stored vectors")
        #expect(warnings.first?.reason.contains("format 1") == true, "\(warnings)")

        // `lore index verify` reports it too, as a format problem rather than as damage.
        let problems = try manager.verify(collectionID: cid).problems
        #expect(problems.count == 1 && problems[0].contains("format 1"), "\(problems)")

        // The next sync saves the rebuilt index in the current format, which then loads as is.
        #expect(try manager.sync(collectionID: cid)?.saved == true)
        let saved = try IndexHeader.parse(try #require(try s.indexSnapshot(collectionID: cid)).header)
        #expect(saved.format == IndexHeader.currentFormat)
        #expect(try manager.load(collectionID: cid)?.origin == .snapshot)
        #expect(try manager.verify(collectionID: cid).problems.isEmpty)
    }

    @Test("parts whose checksums are the old hash fail verification under the current format")
    func oldChecksumsAreNotAccepted() throws {
        // The old hash agrees with XXH64 on inputs of 32 bytes or more whose length is a
        // multiple of 8, and differs on the others. An HNSW snapshot of an odd number of
        // nodes has an odd length (a flag byte per node), so its last part is one of those.
        let dir = TemporaryDirectory()
        let s = try Store(path: dir.path + "/lore.db")
        try VectorStore.fill(s, vectors: data, rows: 0..<301)
        let cid = try s.collectionID(named: "default")
        let manager = IndexManager(store: s, settings: IndexSettings(kind: .hnsw, partBytes: 64 << 10))
        try manager.sync(collectionID: cid)
        var differing: [Int] = []
        try s.readIndexParts(collectionID: cid) { part, _, bytes in
            if Format1Checksum.of(bytes) != Checksum.of(bytes) { differing.append(part) }
        }
        let last = try #require(try s.indexSnapshot(collectionID: cid)).parts - 1
        #expect(differing == [last])
        try downgradeToFormat1(s, collectionID: cid)
        // Claim the current format while keeping the old checksums: the last part must fail.
        try s.connection.execute("UPDATE index_snapshots SET header = json_set(header, '$.format', \(IndexHeader.currentFormat))")
        let problems = try manager.verify(collectionID: cid).problems
        #expect(problems.contains { $0.contains("part \(last) fails its checksum") }, "\(problems)")
    }
}

/// The checksum of format-1 snapshots, verbatim from the code that wrote them (Lore before
/// XXH64), kept here only so that tests can make a genuine format-1 snapshot.
enum Format1Checksum {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63

    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = (a << 31) | (a >> 33)
        return a &* p1
    }

    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return p4 }
        var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
        var i = 0
        while i + 32 <= n {
            v1 = round(v1, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            v2 = round(v2, base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            v3 = round(v3, base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            v4 = round(v4, base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        var h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
        h = (h ^ round(0, v1)) &* p1 &+ p4
        h = (h ^ round(0, v2)) &* p1 &+ p4
        h = (h ^ round(0, v3)) &* p1 &+ p4
        h = (h ^ round(0, v4)) &* p1 &+ p4
        h &+= UInt64(n)
        while i + 8 <= n {
            h ^= round(0, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = ((h << 27) | (h >> 37)) &* p1 &+ p4
            i += 8
        }
        while i < n {
            h ^= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &* p3
            h = ((h << 11) | (h >> 53)) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }
}

/// A log handler that keeps what it is given.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var reason: String
    }
    let records = Mutex<[Record]>([])

    func handler() -> some LogHandler { Handler(capture: self) }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
            file: String, function: String, line: UInt
        ) {
            let reason = metadata?["reason"].map { "\($0)" } ?? ""
            capture.records.withLock { $0.append(Record(level: level, message: "\(message)", reason: reason)) }
        }
    }
}
