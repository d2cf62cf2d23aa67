import Foundation
import LoreApp
import LoreTestSupport
import Testing

/// docs/CONFIGURATION.md is checked against the configuration itself: every key the
/// configuration has is documented, every documented key exists, and the `LORE_*`
/// variables the documentation names are the ones the code reads.
@Suite("Configuration reference")
struct ConfigurationDocsTests {
    /// The dotted keys of the configuration, as its YAML/JSON coding spells them: the
    /// defaults encoded, objects walked (arrays and maps of user-chosen names stop the walk).
    func configurationKeys() throws -> Set<String> {
        let data = try JSONEncoder().encode(LoreConfiguration())
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var keys = Set<String>()
        func walk(_ object: [String: Any], _ prefix: String) {
            for (k, v) in object {
                let key = prefix.isEmpty ? k : prefix + "." + k
                if let child = v as? [String: Any], !child.isEmpty, !Self.userNamed.contains(key) {
                    walk(child, key)
                } else {
                    keys.insert(key)
                }
            }
        }
        walk(root, "")
        return keys
    }

    /// Maps whose keys the user chooses (prompt names, categories), documented as a whole.
    static let userNamed: Set<String> = ["prompts.defaults", "prompts.splits"]

    /// The rows of docs/CONFIGURATION.md's table: key → environment cell.
    func documented() throws -> [String: String] {
        let text = try String(contentsOfFile: TestPaths.repositoryRoot + "/docs/CONFIGURATION.md", encoding: .utf8)
        var rows: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 4 else { continue }
            rows[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[4]
        }
        return rows
    }

    func isDocumented(_ key: String, in docs: [String: String]) -> Bool {
        // A key is documented itself, or as a whole section (`generation.backends[]...`, a map).
        docs[key] != nil || docs.keys.contains { $0.hasPrefix(key + "[") || $0.hasPrefix(key + ".") || key.hasPrefix($0 + ".") }
    }

    @Test("every configuration key is documented in docs/CONFIGURATION.md")
    func everyKeyDocumented() throws {
        let docs = try documented()
        let keys = try configurationKeys()
        #expect(keys.count > 40)
        #expect(keys.filter { !isDocumented($0, in: docs) }.sorted() == [])
    }

    @Test("every key docs/CONFIGURATION.md documents belongs to a section the configuration has")
    func everyDocumentedKeyExists() throws {
        let sections = Set(try configurationKeys().map { String($0.split(separator: ".")[0]) })
        let orphans = try documented().keys.filter { !sections.contains(String($0.split(separator: ".")[0].split(separator: "[")[0])) }
        #expect(orphans.sorted() == [])
    }

    @Test("the LORE_* variables of the table are read by the configuration code, and every one it reads is documented")
    func environmentVariables() throws {
        let docs = try documented()
        let documentedVariables = Set(
            docs.values.flatMap { cell in
                cell.matches(of: /`(LORE_[A-Z0-9_]+)`/).map { String($0.1) }
            })
        let directory = TestPaths.repositoryRoot + "/Sources/LoreApp/Configuration"
        var read = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for m in text.matches(of: /"(LORE_[A-Z0-9_]+)"/) { read.insert(String(m.1)) }
        }
        #expect(read.count > 20)
        #expect(read.subtracting(documentedVariables).subtracting(["LORE_CONFIG"]).sorted() == [], "read but not documented")
        #expect(documentedVariables.subtracting(read).sorted() == [], "documented but never read")
    }
}
