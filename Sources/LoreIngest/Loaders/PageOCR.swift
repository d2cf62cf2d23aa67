import Foundation
import LoreCore
import Synchronization

/// When the PDF loader reads pages with OCR (`ingest.ocr`).
public enum OCRMode: String, Sendable, Codable, CaseIterable {
    /// Pages without a text layer (scanned pages): when no page has one, OCR is required.
    case auto
    /// Never: a scanned PDF has no text.
    case off
    /// Every page, text layer or not.
    case always
}

/// Reads PDF pages as images: poppler's `pdftoppm` renders a page in grey at `dpi`, and
/// Tesseract reads it (TSV output, so each word's confidence comes with it). Pages are read
/// in parallel, one per core, each Tesseract on one thread (`OMP_THREAD_LIMIT=1`), since a
/// page per core is faster than Tesseract's own threads on one page.
public struct PageOCR: Sendable {
    /// Tesseract's language(s), `eng` or `eng+deu`.
    public var language: String
    public var dpi: Int
    /// Pages read at once (default: the cores).
    public var parallelism: Int
    let tesseract: String
    let pdftoppm: String

    /// An OCR reader, or nil when `tesseract` or `pdftoppm` is not installed.
    public init?(language: String = "eng", dpi: Int = 300, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount) {
        guard let t = PDFLoader.findOnPath("tesseract"), let p = PDFLoader.findOnPath("pdftoppm") else { return nil }
        tesseract = t
        pdftoppm = p
        self.language = language
        self.dpi = dpi
        self.parallelism = max(1, parallelism)
    }

    /// A page read: its text (lines and paragraphs as Tesseract found them) and the mean
    /// confidence of its words (0 to 100; nil with no word).
    public struct Page: Sendable {
        public var number: Int
        public var text: String
        public var confidence: Double?
    }

    /// Reads `pages` (1-based) of the PDF at `path`, in order.
    public func read(_ path: String, pages: [Int]) throws(LoadError) -> [Page] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lore-ocr-\(UUID().uuidString)").path
        do { try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true) } catch {
            throw LoadError(.unreadable, "cannot create a directory for OCR under \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let results = Mutex<[Int: Result<Page, LoadError>]>([:])
        let next = Mutex(0)
        let workers = min(parallelism, pages.count)
        let done = DispatchSemaphore(value: 0)
        // Threads of their own: each blocks on its child processes (see ChildProcess).
        for _ in 0..<workers {
            Thread {
                while true {
                    let i = next.withLock { n -> Int in
                        defer { n += 1 }
                        return n
                    }
                    guard i < pages.count else { break }
                    let r = Result { () throws(LoadError) in try readPage(path, page: pages[i], scratch: scratch) }
                    results.withLock { $0[i] = r }
                }
                done.signal()
            }.start()
        }
        for _ in 0..<workers { done.wait() }
        return try results.withLock { r throws(LoadError) in
            var out: [Page] = []
            for i in pages.indices { out.append(try r[i]!.get()) }
            return out
        }
    }

    func readPage(_ path: String, page: Int, scratch: String) throws(LoadError) -> Page {
        let image = scratch + "/page-\(page)"
        let render = try run(
            pdftoppm, ["-r", String(dpi), "-gray", "-png", "-f", String(page), "-l", String(page), "-singlefile", path, image])
        guard render.status == 0 else {
            throw LoadError(.malformed, "page \(page) cannot be rendered for OCR (pdftoppm: \(Self.firstLine(render.standardError)))")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_THREAD_LIMIT"] = "1"
        let ocr = try run(tesseract, [image + ".png", "stdout", "-l", language, "tsv"], environment: environment)
        try? FileManager.default.removeItem(atPath: image + ".png")
        guard ocr.status == 0 else {
            throw LoadError(
                .toolMissing,
                "tesseract failed on page \(page): \(Self.firstLine(ocr.standardError)) (is tesseract-ocr-\(language) installed?)")
        }
        let (text, confidence) = Self.parseTSV(String(decoding: ocr.standardOutput, as: UTF8.self))
        return Page(number: page, text: text, confidence: confidence)
    }

    private func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil) throws(LoadError) -> ChildProcess.Output {
        do { return try ChildProcess.run(tool, arguments, environment: environment, timeout: 300) } catch {
            throw LoadError(.toolMissing, "cannot run \(tool): \(error.localizedDescription)")
        }
    }

    static func firstLine(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "no message"
    }

    /// Tesseract's TSV as text: words (level 5) joined by spaces, a line break between lines,
    /// a blank line between paragraphs and blocks; and the mean confidence of the words.
    static func parseTSV(_ tsv: String) -> (text: String, confidence: Double?) {
        var text = ""
        var last: (block: Substring, par: Substring, line: Substring)?
        var sum = 0.0, words = 0
        for row in tsv.split(separator: "\n").dropFirst() {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 12, f[0] == "5", let conf = Double(f[10]), conf >= 0 else { continue }
            let word = f[11...].joined(separator: "\t").trimmingCharacters(in: .whitespaces)
            guard !word.isEmpty else { continue }
            let here = (f[2], f[3], f[4])
            if let l = last {
                if l.block != here.0 || l.par != here.1 { text += "\n\n" } else if l.line != here.2 { text += "\n" } else { text += " " }
            }
            text += word
            last = here
            sum += conf
            words += 1
        }
        return (text, words > 0 ? sum / Double(words) : nil)
    }
}
