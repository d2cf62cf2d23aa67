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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw LoadError(.toolMissing, "cannot run \(tool): \(error.localizedDescription)")
        }
        // Drain stderr concurrently so that a chatty pdftotext cannot block on a full pipe.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        // On a thread of its own, never a Dispatch global queue: on Linux the Swift concurrency
        // executor runs its jobs on those queues' few worker threads, and reads blocked there
        // until a process exits stalled every task of the process (servers included).
        Thread {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, [UInt8](stdout), String(decoding: errBox.data, as: UTF8.self))
    }

    private final class DataBox: @unchecked Sendable { var data = Data() }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
