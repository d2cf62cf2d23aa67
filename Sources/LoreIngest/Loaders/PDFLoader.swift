import Foundation
import LoreCore

/// `.pdf`: text extracted by poppler's `pdftotext -layout` in a subprocess; each page is a
/// section, so chunks carry their page number. Pages without a text layer (scanned pages)
/// are read by OCR (`PageOCR`: Tesseract) as `ocr` says; the document's metadata `ocr`
/// lists the pages read so and the mean confidence of their words.
public struct PDFLoader: DocumentLoader {
    public var format: DocumentFormat { .pdf }
    public var readsText: Bool { false }
    /// The `pdftotext` executable, found on `PATH` when nil.
    public var executable: String?
    /// When pages are read by OCR.
    public var ocr: OCRMode
    /// Tesseract's language(s).
    public var ocrLanguage: String

    public init(executable: String? = nil, ocr: OCRMode = .auto, ocrLanguage: String = "eng") {
        self.executable = executable
        self.ocr = ocr
        self.ocrLanguage = ocrLanguage
    }

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
        var bodies = pages.map { page in
            page.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.replacing(/\s+$/, with: "") }
                .joined(separator: "\n")
                .trimmingWhitespace()
        }
        // pdftotext ends the last page with a form feed: the empty part after it is no page.
        if bodies.count > 1, bodies.last?.isEmpty == true { bodies.removeLast() }
        var metadata: [String: JSONValue] = [:]
        if let read = try readByOCR(input.path, bodies: bodies) {
            var confidences: [Double] = []
            for page in read {
                bodies[page.number - 1] = page.text.trimmingWhitespace()
                if let c = page.confidence { confidences.append(c) }
            }
            let mean = confidences.isEmpty ? nil : confidences.reduce(0, +) / Double(confidences.count)
            metadata["ocr"] = .object(
                [
                    "pages": .array(read.map { .number(Double($0.number)) }), "engine": .string("tesseract"),
                    "language": .string(ocrLanguage), "mean_confidence": mean.map { .number(($0 * 10).rounded() / 10) } ?? .null
                ], keys: ["pages", "engine", "language", "mean_confidence"])
            if bodies.allSatisfy(\.isEmpty) {
                throw LoadError(.empty, "no text layer, and OCR found no text on its \(read.count) page(s)")
            }
        }
        var text = ""
        var sections: [Section] = []
        for (n, body) in bodies.enumerated() {
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
                sections: sections.isEmpty ? nil : sections,
                metadata: metadata.merging(["pages": .number(Double(sections.count))]) { a, _ in a })
        ]
    }

    /// The pages to read by OCR, read; nil when none is to be. With `auto`, the pages without
    /// a text layer, and OCR is required only when no page has one (blank pages in a text PDF
    /// are skipped when Tesseract is missing).
    func readByOCR(_ path: String, bodies: [String]) throws(LoadError) -> [PageOCR.Page]? {
        let wanted: [Int]
        switch ocr {
        case .off: return nil
        case .always: wanted = Array(1...max(1, bodies.count))
        case .auto: wanted = bodies.indices.filter { bodies[$0].isEmpty }.map { $0 + 1 }
        }
        guard !wanted.isEmpty else { return nil }
        guard let reader = PageOCR(language: ocrLanguage) else {
            if ocr == .auto, bodies.contains(where: { !$0.isEmpty }) { return nil }
            throw LoadError(
                .toolMissing,
                "no text layer (a scanned PDF): OCR needs tesseract and pdftoppm (apt install tesseract-ocr poppler-utils), or set ingest.ocr: off"
            )
        }
        return try reader.read(path, pages: wanted)
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
