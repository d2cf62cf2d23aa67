import Foundation
import LoreCore

/// `.pdf`: text extracted by poppler's `pdftotext -layout` in a subprocess; each page is a
/// section, so chunks carry their page number.
public struct PDFLoader: DocumentLoader {
    public var format: DocumentFormat { .pdf }
    public var readsText: Bool { false }
    /// The `pdftotext` executable, found on `PATH` when nil.
    public var executable: String?

    public init(executable: String? = nil) { self.executable = executable }

    public func load(_ input: LoaderInput) throws(LoadError) -> [Document] {
        guard let tool = executable ?? Self.findOnPath("pdftotext") else {
            throw LoadError(.toolMissing, "pdftotext is not installed: install poppler-utils (scripts/bootstrap does)")
        }
        let (status, stdout, stderr) = try run(tool, ["-layout", "-enc", "UTF-8", input.path, "-"])
        guard status == 0 else {
            let reason = stderr.split(separator: "\n").first.map(String.init) ?? "exit status \(status)"
            throw LoadError(.malformed, "not a readable PDF (pdftotext: \(reason))")
        }
        let pages = String(decoding: stdout, as: UTF8.self).split(separator: "\u{0C}", omittingEmptySubsequences: false)
        var text = ""
        var sections: [Section] = []
        for (n, page) in pages.enumerated() {
            let body = page.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.replacing(/\s+$/, with: "") }
                .joined(separator: "\n")
                .trimmingWhitespace()
            guard !body.isEmpty else { continue }
            if !text.isEmpty { text += "\n\n" }
            let start = text.utf8.count
            text += body
            sections.append(Section(range: start..<text.utf8.count, page: n + 1))
        }
        let firstLine = text.split(separator: "\n").first.map { $0.trimmingWhitespace() }
        let title = (firstLine.map { $0.count <= 100 ? $0 : nil } ?? nil) ?? input.stem
        return [
            Document(
                source: input.path, path: input.path, format: .pdf, title: title, text: text,
                sections: sections.isEmpty ? nil : sections, metadata: ["pages": .number(Double(sections.count))])
        ]
    }

    private func run(_ tool: String, _ arguments: [String]) throws(LoadError) -> (Int32, [UInt8], String) {
        let r: ChildProcess.Output
        do { r = try ChildProcess.run(tool, arguments) } catch {
            throw LoadError(.toolMissing, "cannot run \(tool): \(error.localizedDescription)")
        }
        return (r.status, [UInt8](r.standardOutput), String(decoding: r.standardError, as: UTF8.self))
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
