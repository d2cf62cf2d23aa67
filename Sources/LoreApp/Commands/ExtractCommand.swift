import Foundation
import LoreCore
import LoreIngest

/// `lore extract PATH...`: what the loaders read from files, without storing or embedding
/// anything: each document's title, format, metadata and sections (heading path, page) with
/// their text. For checking a file before ingesting it, and for `bench/documents`.
public enum ExtractCommand {
    /// The documents of the files under `paths`, as text or as JSON Lines (one object per
    /// document). A file that cannot be read is one line on standard error, naming it, and
    /// makes the status 1; the other files are still extracted.
    public static func run(paths: [String], json: Bool) -> CommandOutput {
        var out = CommandOutput()
        let registry = LoaderRegistry()
        let (files, problems) = FileWalker().walk(paths)
        for p in problems {
            out.printError("\(p.path): \(p.reason)\n")
            out.status = 1
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path).map({ [UInt8]($0) }) else {
                out.printError("\(file.path): cannot be read\n")
                out.status = 1
                continue
            }
            let loader: any DocumentLoader
            switch registry.loader(fileName: file.path.split(separator: "/").last.map(String.init) ?? file.path, head: data.prefix(1024)) {
            case .success(let l): loader = l
            case .failure(let e):
                out.printError("\(file.path): \(e.message)\n")
                out.status = 1
                continue
            }
            if loader.readsText, LoaderRegistry.looksBinary(data) {
                out.printError("\(file.path): binary content under a .\(loader.format.rawValue) name\n")
                out.status = 1
                continue
            }
            let text = loader.readsText ? String(decoding: data, as: UTF8.self) : ""
            let documents: [Document]
            do {
                documents = try loader.load(LoaderInput(path: file.path, data: data, text: text, options: LoadOptions()))
            } catch {
                out.printError("\(file.path): \(error.message)\n")
                out.status = 1
                continue
            }
            for d in documents { out.print(json ? jsonLine(d) : describe(d)) }
        }
        return out
    }

    /// One document as one JSON object.
    static func jsonLine(_ d: Document) -> String {
        let bytes = Array(d.text.utf8)
        let sections: [JSONValue] = d.sections.map { s in
            var keys = ["heading_path", "text"]
            var o: [String: JSONValue] = [
                "heading_path": .array(s.headingPath.map { .string($0) }),
                "text": .string(String(decoding: bytes[s.range], as: UTF8.self))
            ]
            if let page = s.page {
                o["page"] = .number(Double(page))
                keys.insert("page", at: 1)
            }
            return .object(o, keys: keys)
        }
        let object = JSONValue.object(
            [
                "source": .string(d.source), "format": .string(d.format.rawValue), "title": .string(d.title),
                "metadata": .object(d.metadata, keys: d.metadata.keys.sorted()), "sections": .array(sections)
            ], keys: ["source", "format", "title", "metadata", "sections"])
        return object.serialized()
    }

    /// One document for people: a header line, then each section under its heading path.
    static func describe(_ d: Document) -> String {
        let bytes = Array(d.text.utf8)
        var lines = ["== \(d.source) (\(d.format.rawValue)): \(d.title)"]
        for s in d.sections {
            let where_ = (s.headingPath.isEmpty ? "" : s.headingPath.joined(separator: " > ")) + (s.page.map { " [page \($0)]" } ?? "")
            if !where_.isEmpty { lines.append("-- " + where_.trimmingCharacters(in: .whitespaces)) }
            lines.append(String(decoding: bytes[s.range], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
