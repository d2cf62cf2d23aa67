import CSQLite
import Foundation
import LoreCore

/// Published index versions: complete, checksummed, read-only copies of a store that query
/// replicas serve, with a `current` pointer switched atomically.
///
/// ```
/// DIR/
///   current -> versions/v000002          a symbolic link, replaced by rename(2)
///   versions/
///     v000001/lore.db, manifest.json     an older version, kept for rollback
///     v000002/lore.db, manifest.json
/// ```
///
/// A version is written under a temporary name (`VACUUM INTO`, a consistent snapshot of
/// the store, then `journal_mode = DELETE` so it opens read-only on a read-only volume),
/// checked (`PRAGMA quick_check`), hashed (SHA-256 in `manifest.json`), made durable, and
/// only then renamed into place and pointed at. A crash at any moment leaves `current` at
/// a complete version; leftovers of an interrupted publish are removed by the next one.
/// Publishers take an exclusive lock on `DIR/.lock`, so two never interleave.
public struct PublishedVersions: Sendable {
    /// The published directory.
    public let root: String

    public init(root: String) { self.root = root }

    /// The file name of a version's database and of its manifest.
    public static let databaseName = "lore.db"
    public static let manifestName = "manifest.json"

    var versionsDirectory: String { root + "/versions" }
    var currentLink: String { root + "/current" }

    /// The path of version `name`'s database.
    public func databasePath(of name: String) -> String { "\(versionsDirectory)/\(name)/\(Self.databaseName)" }

    /// The path through the `current` pointer (`DIR/current/lore.db`): opening it opens
    /// whichever version is current at that moment.
    public var currentDatabasePath: String { "\(currentLink)/\(Self.databaseName)" }

    // MARK: Reading

    /// Every complete version, oldest first.
    public func list() throws -> [PublishedVersion] {
        guard FileManager.default.fileExists(atPath: root) else {
            throw StoreError("\(root): no such published directory")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: versionsDirectory)) ?? []
        return try names.filter { Self.number(of: $0) != nil }.sorted().map { try version(named: $0) }
    }

    /// The version `current` points at; nil when nothing was published yet.
    public func current() throws -> PublishedVersion? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: currentLink) else {
            guard FileManager.default.fileExists(atPath: root) else { throw StoreError("\(root): no such published directory") }
            return nil
        }
        let name = (target as NSString).lastPathComponent
        guard Self.number(of: name) != nil else { throw StoreError("\(currentLink) points at \(target), which is not a version") }
        return try version(named: name)
    }

    /// Version `name` with its manifest.
    public func version(named name: String) throws -> PublishedVersion {
        guard Self.number(of: name) != nil else { throw StoreError("\(name) is not a version name (v000001, v000002, ...)") }
        let dir = "\(versionsDirectory)/\(name)"
        let manifestPath = "\(dir)/\(Self.manifestName)"
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw StoreError("version \(name) has no manifest (\(manifestPath))")
        }
        do {
            let manifest = try JSONDecoder().decode(VersionManifest.self, from: data)
            return PublishedVersion(name: name, database: "\(dir)/\(Self.databaseName)", manifest: manifest)
        } catch {
            throw StoreError("\(manifestPath): not a valid manifest: \(error)")
        }
    }

    /// Recomputes version `name`'s checksum and compares it with its manifest; throws,
    /// naming the file, on any difference.
    @discardableResult
    public func verify(_ name: String) throws -> PublishedVersion {
        let v = try version(named: name)
        let (digest, bytes) = try Self.digest(of: v.database)
        guard bytes == v.manifest.bytes, digest == v.manifest.sha256 else {
            throw StoreError(
                "\(v.database): checksum mismatch (manifest: \(v.manifest.sha256.prefix(16))…, \(v.manifest.bytes) bytes; file: \(digest.prefix(16))…, \(bytes) bytes): the version is damaged, do not serve it"
            )
        }
        return v
    }

    // MARK: Writing

    /// Publishes `store` as a new version, points `current` at it, and removes all but the
    /// newest `keep` versions (never the current one).
    public func publish(_ store: Store, keep: Int) throws -> PublishOutcome {
        guard keep >= 1 else { throw StoreError("keep must be at least 1, not \(keep)") }
        let started = Date()
        try createRoot()
        return try withLock {
            try removeLeftovers()
            let previous = try? current()
            let next = (try list().compactMap { Self.number(of: $0.name) }.max() ?? 0) + 1
            let name = Self.name(of: next)
            let staging = "\(versionsDirectory)/.staging-\(name)-\(getpid())"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            do {
                let database = "\(staging)/\(Self.databaseName)"
                try store.connection.execute("VACUUM INTO '\(database.replacingOccurrences(of: "'", with: "''"))'")
                let collections = try Self.seal(database)
                let (digest, bytes) = try Self.digest(of: database)
                let manifest = VersionManifest(
                    version: name, createdAt: Date().timeIntervalSince1970, sha256: digest, bytes: bytes,
                    source: store.path, collections: collections)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let manifestPath = "\(staging)/\(Self.manifestName)"
                try encoder.encode(manifest).write(to: URL(fileURLWithPath: manifestPath))
                // A version never changes: its files are read-only.
                for file in [database, manifestPath] { chmod(file, 0o444) }
                try Self.fsync(path: manifestPath)
                try Self.fsync(path: staging)
                try Self.rename(staging, to: "\(versionsDirectory)/\(name)")
                try Self.fsync(path: versionsDirectory)
            } catch {
                try? FileManager.default.removeItem(atPath: staging)
                throw error
            }
            try point(at: name)
            let removed = try prune(keep: keep)
            return PublishOutcome(
                version: try version(named: name), previous: previous?.name, removed: removed,
                seconds: Date().timeIntervalSince(started))
        }
    }

    /// Points `current` at an older version: `to`, or the newest one before the current.
    /// The target is verified first; a damaged one is refused and `current` stays.
    public func rollback(to target: String? = nil) throws -> (from: String?, to: String) {
        try withLock {
            let versions = try list().map(\.name)
            let from = try current()?.name
            let name: String
            if let target {
                guard versions.contains(target) else {
                    throw StoreError("no version \(target) in \(root) (kept: \(versions.joined(separator: ", ")))")
                }
                name = target
            } else {
                guard let from, let older = versions.last(where: { $0 < from }) else {
                    throw StoreError("no version older than \(from ?? "the current one") is kept in \(root)")
                }
                name = older
            }
            try verify(name)
            try point(at: name)
            return (from, name)
        }
    }

    /// Removes all but the newest `keep` versions, never the current one; returns their names.
    func prune(keep: Int) throws -> [String] {
        let current = try current()?.name
        let names = try list().map(\.name)
        var removed: [String] = []
        for name in names.dropLast(keep) where name != current {
            try FileManager.default.removeItem(atPath: "\(versionsDirectory)/\(name)")
            removed.append(name)
        }
        return removed
    }

    /// Replaces `current` by a link to `name` atomically (a new link renamed over the old).
    func point(at name: String) throws {
        let temporary = "\(root)/.current-\(getpid())"
        unlink(temporary)
        guard symlink("versions/\(name)", temporary) == 0 else {
            throw StoreError("cannot create the link \(temporary): \(String(cString: strerror(errno)))")
        }
        try Self.rename(temporary, to: currentLink)
        try Self.fsync(path: root)
    }

    private func createRoot() throws {
        do {
            try FileManager.default.createDirectory(atPath: versionsDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create the published directory \(versionsDirectory): \(error.localizedDescription)")
        }
    }

    /// Staging directories and links of publishes that died (the lock is ours, so nobody
    /// else is writing them).
    private func removeLeftovers() throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: versionsDirectory)) ?? [] where name.hasPrefix(".staging-") {
            try FileManager.default.removeItem(atPath: "\(versionsDirectory)/\(name)")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where name.hasPrefix(".current-") {
            unlink("\(root)/\(name)")
        }
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let path = root + "/.lock"
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw StoreError("cannot lock \(path): \(String(cString: strerror(errno)))") }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    // MARK: Helpers

    /// The number of a version name (`v000002`: 2); nil for other names.
    public static func number(of name: String) -> Int? {
        guard name.count == 7, name.first == "v" else { return nil }
        return Int(name.dropFirst())
    }

    static func name(of number: Int) -> String { "v" + String(format: "%06d", number) }

    /// Makes the copy a self-contained read-only database: rollback journal (a WAL file
    /// would need a writable directory to open), checked, counted and synced to disk.
    static func seal(_ path: String) throws -> [VersionManifest.Collection] {
        do {
            let copy = try SQLiteConnection(path: path)
            try copy.execute("PRAGMA journal_mode = DELETE")
            let check = try copy.prepare("PRAGMA quick_check")
            let result = try check.step() ? check.text(0) : "no result"
            guard result == "ok" else { throw StoreError("\(path): the copy failed its integrity check: \(result)") }
        }
        let stats = try Store(path: path, readOnly: true).stats()
        return stats.collections.map {
            VersionManifest.Collection(name: $0.name, documents: $0.documents, chunks: $0.chunks, embeddingModel: $0.embeddingModel)
        }
    }

    /// SHA-256 of the file and its size, read in 1 MiB blocks.
    static func digest(of path: String) throws -> (String, Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError("cannot read \(path)") }
        defer { try? handle.close() }
        var hash = SHA256()
        var bytes = 0
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            hash.update(block)
            bytes += block.count
        }
        return (hash.finalizeHex(), bytes)
    }

    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError("cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard Foundation.fsync(fd) == 0 else { throw StoreError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    static func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw StoreError("cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }
}

/// One published version: its name (`v000002`), database and manifest.
public struct PublishedVersion: Sendable, Equatable {
    public let name: String
    public let database: String
    public let manifest: VersionManifest
}

/// What `publish` did.
public struct PublishOutcome: Sendable {
    public let version: PublishedVersion
    /// The version `current` pointed at before.
    public let previous: String?
    /// Versions removed beyond the count kept.
    public let removed: [String]
    public let seconds: Double
}

/// `manifest.json` of a version.
public struct VersionManifest: Codable, Sendable, Equatable {
    public struct Collection: Codable, Sendable, Equatable {
        public var name: String
        public var documents: Int
        public var chunks: Int
        public var embeddingModel: String?

        enum CodingKeys: String, CodingKey { case name, documents, chunks, embeddingModel = "embedding_model" }
    }

    public var version: String
    public var createdAt: Double
    /// SHA-256 of `lore.db`, hex.
    public var sha256: String
    public var bytes: Int
    /// The store it was published from.
    public var source: String
    public var collections: [Collection]

    enum CodingKeys: String, CodingKey { case version, createdAt = "created_at", sha256, bytes, source, collections }
}
