import Foundation
import LoreCore
import LoreIngest
import LoreTestSupport
import Testing

/// Builds loader inputs from the committed fixtures or from inline text.
enum Fixture {
    /// The full path of `Tests/Fixtures/ingest/<relative>`.
    static func path(_ relative: String) -> String { TestPaths.ingestFixtures + "/" + relative }

    static func bytes(_ relative: String) throws -> [UInt8] {
        let p = path(relative)
        guard let data = FileManager.default.contents(atPath: p) else {
            throw FixtureMissing(path: p)
        }
        return [UInt8](data)
    }

    /// The input a loader gets for a fixture file: its bytes, decoded as UTF-8.
    static func input(_ relative: String, textField: String? = nil) throws -> LoaderInput {
        let data = try bytes(relative)
        return LoaderInput(
            path: path(relative), data: data, text: String(decoding: data, as: UTF8.self),
            options: LoadOptions(textField: textField))
    }

    /// An input for inline text, named `name` (the name picks nothing here: tests call a loader directly).
    static func inline(_ text: String, name: String = "inline.txt", textField: String? = nil) -> LoaderInput {
        LoaderInput(path: "/virtual/" + name, data: Array(text.utf8), text: text, options: LoadOptions(textField: textField))
    }

    /// The one document a single-document loader must produce.
    static func single(_ docs: [Document], sourceLocation: SourceLocation = #_sourceLocation) throws -> Document {
        try #require(docs.count == 1, "expected one document, got \(docs.count)", sourceLocation: sourceLocation)
        return docs[0]
    }

    /// The error `body` throws; records an issue when it throws none.
    static func loadError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(LoadError) -> [Document]) -> LoadError? {
        do {
            let docs = try body()
            Issue.record("expected a LoadError, got \(docs.count) documents", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    struct FixtureMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "missing fixture \(path)" }
    }
}

extension Document {
    /// The text of `section`.
    func text(of section: Section) -> String {
        String(decoding: Array(text.utf8)[section.range], as: UTF8.self)
    }

    /// The heading paths of the sections, in order.
    var headingPaths: [[String]] { sections.map(\.headingPath) }

    /// The first section whose text contains `marker`.
    func section(containing marker: String) -> Section? {
        sections.first { text(of: $0).contains(marker) }
    }

    /// Whether the sections tile the text: in order, without gaps or overlaps, from 0 to the end.
    var sectionsPartitionText: Bool {
        guard let first = sections.first, let last = sections.last else { return false }
        guard first.range.lowerBound == 0, last.range.upperBound == text.utf8.count else { return false }
        return zip(sections, sections.dropFirst()).allSatisfy { $0.range.upperBound == $1.range.lowerBound }
    }
}
