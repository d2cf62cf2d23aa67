import ArgumentParser
import Foundation
import LoreApp
import LoreStore

/// `lore versions publish|list|rollback|verify DIR`: the published index versions that
/// `lore serve --published DIR` replicas serve.
struct Versions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "Publish, list, verify and roll back the index versions replicas serve (lore serve --published DIR).",
        discussion: """
            A version is a complete, checksummed, read-only copy of the store (documents, \
            vectors, the index snapshot, API keys) under DIR/versions/vNNNNNN; DIR/current \
            points at the one replicas serve and is switched atomically. lore ingest --publish \
            DIR publishes after ingesting.
            """,
        subcommands: [Publish.self, List.self, Rollback.self, Verify.self]
    )

    /// Versions kept by default (`--keep`).
    static let defaultKeep = 5

    static func printOutcome(_ o: PublishOutcome, root: String) {
        var line = String(
            format: "published %@ to %@ (%d bytes, sha256 %@, %.2f s)", o.version.name, root, o.version.manifest.bytes,
            String(o.version.manifest.sha256.prefix(16)), o.seconds)
        if let p = o.previous { line += "; current was \(p)" }
        if !o.removed.isEmpty { line += "; removed \(o.removed.joined(separator: ", "))" }
        print(line)
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish the store as a new version and make it current.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The published directory (created if missing).")
        var directory: String

        @Option(name: .long, help: "How many versions to keep (the newest; never the current). Default: 5.")
        var keep = Versions.defaultKeep

        func validate() throws {
            guard keep >= 1 else { throw ValidationError("--keep must be at least 1, not \(keep)") }
        }

        func run() throws {
            let config = try global.configuration()
            try config.requireDatabase(hint: "pass --db, or run lore ingest first")
            do {
                let store = try Store(path: config.database)
                Versions.printOutcome(try PublishedVersions(root: directory).publish(store, keep: keep), root: directory)
            } catch let e as StoreError { throw CommandFailure(description: e.description) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the kept versions; * marks the current one.")
        @Argument(help: "The published directory.")
        var directory: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let published = PublishedVersions(root: directory)
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
                    print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]), as: UTF8.self))
                    return
                }
                let f = ISO8601DateFormatter()
                for v in versions {
                    let docs = v.manifest.collections.map { "\($0.name): \($0.documents) documents" }.joined(separator: ", ")
                    print(
                        "\(v.name == current ? "*" : " ") \(v.name)  \(f.string(from: Date(timeIntervalSince1970: v.manifest.createdAt)))  \(v.manifest.bytes) bytes  \(docs)"
                    )
                }
                if versions.isEmpty { print("no versions published in \(directory)") }
            } catch let e as StoreError { throw CommandFailure(description: e.description) }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point current at an older version (verified first); replicas switch to it as to a new one.")
        @Argument(help: "The published directory.")
        var directory: String

        @Option(name: .long, help: "The version to go back to (default: the newest one before the current).")
        var to: String?

        func run() throws {
            do {
                let (from, to) = try PublishedVersions(root: directory).rollback(to: to)
                print("current is now \(to) (was \(from ?? "none"))")
            } catch let e as StoreError { throw CommandFailure(description: e.description) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute the checksums of the kept versions (or one).")
        @Argument(help: "The published directory.")
        var directory: String

        @Argument(help: "One version (default: every kept version).")
        var version: String?

        func run() throws {
            let published = PublishedVersions(root: directory)
            var failed = false
            do {
                for name in try version.map({ [$0] }) ?? published.list().map(\.name) {
                    do {
                        let v = try published.verify(name)
                        print("ok      \(name)  sha256 \(v.manifest.sha256.prefix(16))…")
                    } catch let e as StoreError {
                        failed = true
                        print("damaged \(name)  \(e.description)")
                    }
                }
            } catch let e as StoreError { throw CommandFailure(description: e.description) }
            if failed { throw ExitCode(1) }
        }
    }
}
