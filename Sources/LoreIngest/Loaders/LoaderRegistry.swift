import LoreCore

/// Chooses the loader for a file by its extension, and by sniffing its first bytes when the
/// extension says nothing or the content plainly says otherwise (a PDF named `.txt`).
public struct LoaderRegistry: Sendable {
    public var loaders: [DocumentFormat: any DocumentLoader]

    /// The loaders; `ocr` and `ocrLanguage` say when and how the PDF loader reads pages by OCR.
    public init(pdftotext: String? = nil, ocr: OCRMode = .auto, ocrLanguage: String = "eng") {
        loaders = [
            .text: PlainTextLoader(), .markdown: MarkdownLoader(), .html: HTMLLoader(),
            .pdf: PDFLoader(executable: pdftotext, ocr: ocr, ocrLanguage: ocrLanguage),
            .json: JSONLoader(), .jsonl: JSONLinesLoader(), .csv: CSVLoader(), .code: CodeLoader(),
            .docx: DOCXLoader(), .pptx: PPTXLoader(), .xlsx: XLSXLoader(), .odt: OpenDocumentLoader(.odt),
            .ods: OpenDocumentLoader(.ods), .odp: OpenDocumentLoader(.odp), .epub: EPUBLoader()
        ]
    }

    static let byExtension: [String: DocumentFormat] = {
        var map: [String: DocumentFormat] = [
            "txt": .text, "text": .text, "md": .markdown, "markdown": .markdown, "html": .html, "htm": .html,
            "xhtml": .html, "pdf": .pdf, "json": .json, "jsonl": .jsonl, "ndjson": .jsonl, "csv": .csv,
            "docx": .docx, "docm": .docx, "pptx": .pptx, "pptm": .pptx, "xlsx": .xlsx, "xlsm": .xlsx, "odt": .odt, "ods": .ods,
            "odp": .odp, "epub": .epub
        ]
        for ext in CodeLoader.languages.keys { map[ext] = .code }
        return map
    }()

    /// The supported extensions, for messages.
    public static var supportedExtensions: [String] { byExtension.keys.sorted() }

    /// The loader for `fileName` with content starting `head`, or a reason to skip the file.
    public func loader(fileName: String, head: ArraySlice<UInt8>) -> Result<any DocumentLoader, LoadError> {
        let lower = fileName.lowercased()
        let ext = lower.contains(".") ? String(lower.split(separator: ".").last!) : ""
        if head.starts(with: Array("%PDF-".utf8)) { return .success(loaders[.pdf]!) }
        if let format = Self.byExtension[ext] { return .success(loaders[format]!) }
        if ext.isEmpty, let sniffed = Self.sniff(head) { return .success(loaders[sniffed]!) }
        return .failure(
            LoadError(.unsupported, ext.isEmpty ? "unsupported file (no extension, content not recognised)" : "unsupported format .\(ext)"))
    }

    static func sniff(_ head: ArraySlice<UInt8>) -> DocumentFormat? {
        let text = String(decoding: head.prefix(512), as: UTF8.self).drop(while: { $0.isWhitespace }).lowercased()
        if text.hasPrefix("<!doctype html") || text.hasPrefix("<html") { return .html }
        if text.hasPrefix("#!") { return .code }
        return nil
    }

    /// Whether the content looks binary: NUL bytes, or many control bytes, in the first 8 KB.
    public static func looksBinary(_ data: [UInt8]) -> Bool {
        let head = data.prefix(8192)
        guard !head.isEmpty else { return false }
        var control = 0
        for b in head {
            if b == 0 { return true }
            if b < 32, b != 9, b != 10, b != 13, b != 12, b != 8, b != 27 { control += 1 }
        }
        return control * 10 > head.count
    }
}
