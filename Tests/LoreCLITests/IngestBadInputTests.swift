import Foundation
import LoreStore
import LoreTestSupport
import Testing

/// Bad input gets one clear line naming the file and the reason, and loses nothing: every
/// other file in the same run is ingested.
@Suite("lore ingest: bad input")
struct IngestBadInputTests {
    /// Parsed `--json` output.
    struct Report: Decodable {
        struct Problem: Decodable { var path: String; var reason: String }
        struct Finding: Decodable { var path: String; var check: String; var severity: String; var message: String }
        var ingested: Int, updated: Int, unchanged: Int, removed: Int, skipped: Int
        var errors: [Problem]
        var skips: [Problem]
        var findings: [Finding]
    }

    static let goodFiles = ["plain.txt", "guide.md", "page.html", "doc.pdf", "records.json", "records.jsonl", "table.csv", "sample.py"]
    static let badFiles = ["binary.txt", "invalid-utf8.txt", "truncated.pdf", "malformed.json", "ragged.csv", "empty.txt"]

    /// A tree with good files, every kind of bad file, an unreadable file and a symlink loop.
    func makeTree(_ dir: TemporaryDirectory) throws -> String {
        let tree = dir.path + "/tree"
        for f in Self.goodFiles { dir.copy(TestPaths.ingestFixtures + "/good/" + f, as: "tree/good/" + f) }
        for f in Self.badFiles { dir.copy(TestPaths.ingestFixtures + "/bad/" + f, as: "tree/bad/" + f) }
        let unreadable = dir.write("tree/bad/unreadable.md", "# Secret\n\nThis file cannot be read by the ingesting user.\n")
        #expect(chmod(unreadable, 0) == 0)
        try FileManager.default.createSymbolicLink(atPath: tree + "/bad/loop", withDestinationPath: tree)
        try FileManager.default.createSymbolicLink(atPath: tree + "/bad/self-loop.txt", withDestinationPath: tree + "/bad/self-loop.txt")
        // Everything readable by the unprivileged user the test may run lore as.
        for p in [dir.path, tree, tree + "/good", tree + "/bad"] { chmod(p, 0o777) }
        return tree
    }

    /// Runs lore as an unprivileged user when the tests run as root, so that a chmod 000 file
    /// really is unreadable.
    func lore(_ args: [String]) throws -> ProcessResult {
        if geteuid() == 0 {
            return try runProcess(
                "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", TestPaths.loreBinary] + args)
        }
        return try runLore(args)
    }

    @Test("each bad file is named once with its reason, and every good file is ingested")
    func badFilesAreReportedAndGoodOnesIngested() throws {
        let dir = TemporaryDirectory()
        let tree = try makeTree(dir)
        let db = dir.path + "/lore.db"
        let result = try lore(["ingest", tree, dir.path + "/does-not-exist", "--db", db, "--json"])
        #expect(result.status == 1, "errors make the exit status non-zero: \(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))

        #expect(report.ingested == Self.goodFiles.count + 1, "the good files and the repaired invalid-UTF-8 file")
        let store = try Store(path: db)
        let collection = try #require(try store.existingCollectionID(named: "default"))
        let paths = Set(try store.documents(collectionID: collection).compactMap(\.path))
        for f in Self.goodFiles { #expect(paths.contains(tree + "/good/" + f), "\(f) was ingested") }

        func reason(_ name: String) -> String? {
            let all =
                report.errors.map { ($0.path, $0.reason) } + report.skips.map { ($0.path, $0.reason) }
                + report.findings.map { ($0.path, "\($0.check): \($0.message)") }
            let hits = all.filter { $0.0.hasSuffix("/" + name) || $0.0 == name }
            #expect(hits.count == 1, "\(name) is reported exactly once, got \(hits)")
            return hits.first?.1
        }
        #expect(reason("binary.txt")?.contains("binary") == true)
        #expect(reason("invalid-utf8.txt")?.contains("invalid-utf8") == true)
        #expect(reason("truncated.pdf")?.contains("not a readable PDF") == true)
        #expect(reason("malformed.json")?.contains("malformed JSON at line") == true)
        #expect(reason("ragged.csv")?.contains("ragged row at line") == true)
        #expect(reason("empty.txt")?.contains("empty") == true)
        #expect(reason("unreadable.md")?.contains("permission denied") == true)
        #expect(reason("loop")?.contains("symbolic link loop") == true)
        #expect(reason("self-loop.txt")?.contains("symbolic link loop") == true)
        #expect(reason("does-not-exist")?.contains("no such file or directory") == true)
        #expect(paths.contains(tree + "/bad/invalid-utf8.txt"), "invalid UTF-8 is repaired with a warning, not lost")
        #expect(try store.checkIntegrity().isConsistent)
    }

    @Test(
        "Office files: the good ones are stored with their slides and sheets; encrypted, bomb, malformed, external-entity and non-ZIP files get one line each, and the run goes on"
    )
    func officeFiles() throws {
        let dir = TemporaryDirectory()
        let good = ["sqlite-datatypes.docx", "python-docx.docx", "sqlite-slides.pptx", "sqlite-tables.xlsx"]
        let bad = [
            ("encrypted.docx", "password-protected"), ("encrypted.xlsx", "password-protected"), ("zip-bomb.docx", "ZIP bomb"),
            ("malformed.docx", "malformed XML"), ("xxe.docx", "document type"), ("not-a-zip.pptx", "not a PPTX file")
        ]
        for f in good { dir.copy(TestPaths.documentFixtures + "/" + f, as: "office/" + f) }
        for (f, _) in bad { dir.copy(TestPaths.documentFixtures + "/bad/" + f, as: "office/bad/" + f) }
        let db = dir.path + "/lore.db"
        let result = try runLore(["ingest", dir.path + "/office", "--db", db, "--json"])
        #expect(result.status == 1, "errors make the exit status non-zero: \(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.ingested == good.count, "\(result.stdout)")
        for (f, phrase) in bad {
            let hits = report.errors.filter { $0.path.hasSuffix("/bad/" + f) }
            #expect(hits.count == 1 && hits[0].reason.contains(phrase), "\(f): \(hits)")
        }
        let store = try Store(path: db)
        let collection = try #require(try store.existingCollectionID(named: "default"))
        let formats = Set(try store.documents(collectionID: collection).map(\.format))
        #expect(formats == ["docx", "pptx", "xlsx"], "\(formats)")
        #expect(try store.checkIntegrity().isConsistent)
        // A question answered from a slide cites it by number and title.
        let q = try runLore(["query", "What is a storage class more general than?", "--db", db, "--json", "--filter", "format=pptx"])
        #expect(q.status == 0, "\(q.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as? [String: Any]
        let cited = (answer?["citations"] as? [[String: Any]] ?? []).filter { $0["cited"] as? Bool == true }
        #expect(cited.first?["heading_path"] as? String == "Slide 2: Storage Classes and Datatypes", "\(q.stdout)")
    }

    @Test("lore extract prints each document's sections with their pages, one JSON line each, and one error line per bad file")
    func extract() throws {
        let dir = TemporaryDirectory()
        dir.copy(TestPaths.documentFixtures + "/sqlite-slides.odp", as: "x/slides.odp")
        dir.copy(TestPaths.documentFixtures + "/bad/encrypted.docx", as: "x/locked.docx")
        let r = try runLore(["extract", dir.path + "/x", "--json"])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").filter { $0.contains("locked.docx: password-protected") }.count == 1, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        try #require(lines.count == 1, "\(r.stdout)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(doc["format"] as? String == "odp")
        let sections = doc["sections"] as? [[String: Any]] ?? []
        #expect(sections.map { $0["page"] as? Int } == (1...sections.count).map { $0 }, "\(sections.map { $0["page"] ?? "-" })")
        #expect((sections.first?["heading_path"] as? [String])?.first?.hasPrefix("Slide 1: ") == true)
    }

    @Test("the summary has one line per problem, naming the file")
    func humanSummaryNamesEachFile() throws {
        let dir = TemporaryDirectory()
        let tree = try makeTree(dir)
        let result = try lore(["ingest", tree, "--db", dir.path + "/lore.db"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        for name in Self.badFiles + ["unreadable.md", "loop", "self-loop.txt"] {
            let hits = lines.filter { $0.contains("/bad/" + name + ":") }
            #expect(hits.count == 1, "one line for \(name): \(result.stdout)")
        }
    }

    @Test("--strict fails on validation findings alone; without it they do not fail the run")
    func strictMode() throws {
        let dir = TemporaryDirectory()
        dir.copy(TestPaths.ingestFixtures + "/good/plain.txt", as: "t/plain.txt")
        dir.copy(TestPaths.ingestFixtures + "/bad/empty.txt", as: "t/empty.txt")
        let lenient = try runLore(["ingest", dir.path + "/t", "--db", dir.path + "/a.db"])
        #expect(lenient.status == 0, "\(lenient.stdout)\(lenient.stderr)")
        let strict = try runLore(["ingest", dir.path + "/t", "--db", dir.path + "/b.db", "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("empty.txt: empty"))
    }

    @Test("a bad flag value names the parameter")
    func badParameter() throws {
        let dir = TemporaryDirectory()
        let r = try runLore(["ingest", TestPaths.ingestFixtures + "/good", "--db", dir.path + "/x.db", "--chunk-size", "999"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("chunk size 999"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/x.db"), "nothing is written when the options are invalid")
    }

    @Test("a corrupt configuration file names the file and the key")
    func badConfiguration() throws {
        let dir = TemporaryDirectory()
        let config = dir.write("lore.yaml", "ingest:\n  chunk_size: lots\n")
        let r = try runLore(["ingest", TestPaths.ingestFixtures + "/good", "--db", dir.path + "/x.db", "--config", config])
        #expect(r.status != 0)
        #expect(r.stderr.contains(config) && r.stderr.contains("ingest.chunk_size"), "\(r.stderr)")
    }
}
