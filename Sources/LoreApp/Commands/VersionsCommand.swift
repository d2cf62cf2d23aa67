import Foundation
import LoreStore

/// `lore versions publish|list|rollback|verify DIR`: the published index versions that
/// `lore serve --published DIR` replicas serve.
public enum VersionsCommand {
    /// Versions kept by default (`--keep`).
    public static let defaultKeep = 5

    /// The line a publication prints.
    public static func outcomeLine(_ o: PublishOutcome, root: String) -> String {
        var line = String(
            format: "published %@ to %@ (%d bytes, sha256 %@, %.2f s)", o.version.name, root, o.version.manifest.bytes,
            String(o.version.manifest.sha256.prefix(16)), o.seconds)
        if let p = o.previous { line += "; current was \(p)" }
        if !o.removed.isEmpty { line += "; removed \(o.removed.joined(separator: ", "))" }
        return line
    }

    /// `lore versions publish DIR`: publishes the store as a new version, keeping `keep`.
    public static func publish(directory: String, keep: Int, config: LoreConfiguration) throws -> CommandOutput {
        try config.requireDatabase(hint: "pass --db, or run lore ingest first")
        var out = CommandOutput()
        do {
            let store = try Store(path: config.database)
            out.print(outcomeLine(try PublishedVersions(root: directory).publish(store, keep: keep), root: directory))
        } catch let e as StoreError { throw CommandFailure(description: e.description) }
        return out
    }

    /// `lore versions list DIR`: the kept versions, `*` marking the current one.
    public static func list(directory: String, json: Bool) throws -> CommandOutput {
        let published = PublishedVersions(root: directory)
        var out = CommandOutput()
        do {
            let versions = try published.list()
            let current = try published.current()?.name
            if json {
                let objects: [[String: Any]] = versions.map { v in
                    [
                        "version": v.name, "current": v.name == current, "created_at": v.manifest.createdAt, "bytes": v.manifest.bytes,
                        "sha256": v.manifest.sha256, "source": v.manifest.source,
                        "collections": v.manifest.collections.map { ["name": $0.name, "documents": $0.documents, "chunks": $0.chunks] }
                    ]
                }
                out.print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]), as: UTF8.self))
                return out
            }
            let f = ISO8601DateFormatter()
            for v in versions {
                let docs = v.manifest.collections.map { "\($0.name): \($0.documents) documents" }.joined(separator: ", ")
                out.print(
                    "\(v.name == current ? "*" : " ") \(v.name)  \(f.string(from: Date(timeIntervalSince1970: v.manifest.createdAt)))  \(v.manifest.bytes) bytes  \(docs)"
                )
            }
            if versions.isEmpty { out.print("no versions published in \(directory)") }
        } catch let e as StoreError { throw CommandFailure(description: e.description) }
        return out
    }

    /// `lore versions rollback DIR`: points current at an older version (verified first).
    public static func rollback(directory: String, to: String?) throws -> CommandOutput {
        var out = CommandOutput()
        do {
            let (from, to) = try PublishedVersions(root: directory).rollback(to: to)
            out.print("current is now \(to) (was \(from ?? "none"))")
        } catch let e as StoreError { throw CommandFailure(description: e.description) }
        return out
    }

    /// `lore versions verify DIR [VERSION]`: recomputes the checksums; status 1 when one is damaged.
    public static func verify(directory: String, version: String?) throws -> CommandOutput {
        let published = PublishedVersions(root: directory)
        var out = CommandOutput()
        do {
            for name in try version.map({ [$0] }) ?? published.list().map(\.name) {
                do {
                    let v = try published.verify(name)
                    out.print("ok      \(name)  sha256 \(v.manifest.sha256.prefix(16))…")
                } catch let e as StoreError {
                    out.status = 1
                    out.print("damaged \(name)  \(e.description)")
                }
            }
        } catch let e as StoreError { throw CommandFailure(description: e.description) }
        return out
    }
}
