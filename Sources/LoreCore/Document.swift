/// The format a loader recognised a file as.
public enum DocumentFormat: String, Sendable, Codable, CaseIterable {
    case text = "txt"
    case markdown = "md"
    case html
    case pdf
    case json
    case jsonl
    case csv
    case code
    /// Word (Office Open XML).
    case docx
    /// PowerPoint (Office Open XML): a section per slide, its `page` the slide number.
    case pptx
    /// Excel (Office Open XML): sections of rows under each sheet's name.
    case xlsx
    /// OpenDocument text (LibreOffice Writer).
    case odt
    /// OpenDocument spreadsheet (LibreOffice Calc), as `xlsx`.
    case ods
    /// OpenDocument presentation (LibreOffice Impress), as `pptx`.
    case odp
    /// EPUB: the chapters in reading order.
    case epub
}

/// A contiguous part of a document's text that shares one heading path (or one PDF page).
///
/// Sections partition the document text: chunks never straddle a section boundary.
public struct Section: Sendable, Equatable {
    /// Headings from the outermost to the innermost, e.g. `["Limits", "Maximum length of a string"]`.
    public var headingPath: [String]
    /// UTF-8 byte range of the section in ``Document/text``.
    public var range: Range<Int>
    /// 1-based page number, for paginated formats (the slide number for a presentation).
    public var page: Int?

    public init(headingPath: [String] = [], range: Range<Int>, page: Int? = nil) {
        self.headingPath = headingPath
        self.range = range
        self.page = page
    }
}

/// One document as produced by a loader: extracted text, its sections and metadata.
public struct Document: Sendable {
    /// Stable identifier of the document within a collection: the file path, or `path#N`
    /// for the N-th record of a JSON, JSON Lines or CSV file.
    public var source: String
    /// The file the document came from, when it came from a file.
    public var path: String?
    public var format: DocumentFormat
    public var title: String
    /// The extracted text. Section ranges are UTF-8 byte offsets into it.
    public var text: String
    public var sections: [Section]
    public var metadata: [String: JSONValue]

    public init(
        source: String, path: String?, format: DocumentFormat, title: String, text: String,
        sections: [Section]? = nil, metadata: [String: JSONValue] = [:]
    ) {
        self.source = source
        self.path = path
        self.format = format
        self.title = title
        self.text = text
        self.sections = sections ?? [Section(range: 0..<text.utf8.count)]
        self.metadata = metadata
    }

    /// SHA-256 of the extracted text, used for duplicate detection.
    public var contentSHA256: String { SHA256.hex(of: Array(text.utf8)) }
}

/// A piece of a document sized for the embedding model.
public struct Chunk: Sendable, Equatable {
    /// Position of the chunk within its document, from 0.
    public var ordinal: Int
    public var text: String
    /// Number of WordPiece tokens in `text`, without the special tokens.
    public var tokenCount: Int
    public var headingPath: [String]
    /// UTF-8 byte range of the chunk in the document text.
    public var range: Range<Int>
    public var page: Int?

    public init(ordinal: Int, text: String, tokenCount: Int, headingPath: [String], range: Range<Int>, page: Int?) {
        self.ordinal = ordinal
        self.text = text
        self.tokenCount = tokenCount
        self.headingPath = headingPath
        self.range = range
        self.page = page
    }

    /// The heading path as shown to people: `"Limits > Maximum length of a string"`.
    public var headingPathString: String { headingPath.joined(separator: " > ") }
}
