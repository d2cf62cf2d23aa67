import Foundation
import LoreCore
import LoreIngest
import LoreTestSupport
import Testing

/// Scanned PDFs read by Tesseract: two pages of SQLite's documentation laid out by
/// LibreOffice, rendered to images and rebuilt as an image-only PDF
/// (scripts/make-document-fixtures), against the same two pages with their text layer.
@Suite("PDF loader: OCR of scanned pages", .enabled(if: PageOCR() != nil, "tesseract and pdftoppm are not installed"))
struct OCRTests {
    static func input(_ path: String) -> LoaderInput {
        LoaderInput(path: path, data: [UInt8](FileManager.default.contents(atPath: path)!), text: "", options: LoadOptions())
    }

    static let scanned = TestPaths.documentFixtures + "/scanned-2pages.pdf"
    static let textLayer = TestPaths.documentFixtures + "/text-2pages.pdf"

    /// Lower-cased words of `text`.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// The share of `truth`'s words (as a multiset) that `text` has.
    static func recall(_ text: String, of truth: String) -> Double {
        var have: [String: Int] = [:]
        for w in words(text) { have[w, default: 0] += 1 }
        let t = words(truth)
        var hits = 0
        for w in t where have[w, default: 0] > 0 {
            have[w]! -= 1
            hits += 1
        }
        return Double(hits) / Double(max(1, t.count))
    }

    @Test(
        "a scanned PDF is read page by page: each page a section with its number, the words of the text layer's pages, and the OCR recorded with its confidence"
    )
    func scannedPages() throws {
        let doc = try Fixture.single(try PDFLoader(ocr: .auto).load(Self.input(Self.scanned)))
        let truth = try Fixture.single(try PDFLoader(ocr: .off).load(Self.input(Self.textLayer)))
        #expect(doc.sections.map(\.page) == [1, 2])
        #expect(truth.sections.map(\.page) == [1, 2])
        for (ocr, text) in zip(doc.sections, truth.sections) {
            let r = Self.recall(doc.text(of: ocr), of: truth.text(of: text))
            #expect(r >= 0.95, "page \(ocr.page!): \(r) of the text layer's words")
        }
        guard case .object(let ocr, _) = doc.metadata["ocr"] else {
            Issue.record("no ocr metadata: \(doc.metadata)")
            return
        }
        #expect(ocr["pages"] == .array([.number(1), .number(2)]))
        guard case .number(let confidence) = ocr["mean_confidence"] else {
            Issue.record("no confidence: \(ocr)")
            return
        }
        #expect(confidence > 80 && confidence <= 100)
        #expect(truth.metadata["ocr"] == nil, "a text layer needs no OCR")
    }

    @Test("ingest.ocr: off leaves a scanned PDF without text; always reads even pages with a text layer")
    func modes() throws {
        let off = try Fixture.single(try PDFLoader(ocr: .off).load(Self.input(Self.scanned)))
        #expect(off.text.isEmpty && off.metadata["ocr"] == nil)
        let always = try Fixture.single(try PDFLoader(ocr: .always).load(Self.input(Self.textLayer)))
        guard case .object(let ocr, _) = always.metadata["ocr"] else {
            Issue.record("no ocr metadata")
            return
        }
        #expect(ocr["pages"] == .array([.number(1), .number(2)]))
        #expect(always.sections.map(\.page) == [1, 2])
    }

    @Test("a PDF of a blank image: OCR finds nothing, and the file is refused with that reason")
    func nothingFound() throws {
        let dir = TemporaryDirectory("lore-ocr")
        let path = dir.path + "/blank-scan.pdf"
        FileManager.default.createFile(atPath: path, contents: Data(Self.blankImagePDF()))
        let e = try #require(Fixture.loadError { () throws(LoadError) in try PDFLoader(ocr: .auto).load(Self.input(path)) })
        #expect(e.kind == .empty)
        #expect(e.message.contains("OCR found no text"), "\(e.message)")
    }

    /// A one-page PDF whose page is an 8×8 white image and nothing else, offsets computed.
    static func blankImagePDF() -> [UInt8] {
        var out: [UInt8] = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        func object(_ body: [UInt8]) {
            offsets.append(out.count)
            out += Array("\(offsets.count) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        object(Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        object(Array("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8))
        object(
            Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".utf8)
        )
        object(
            Array(
                "<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 64 >>\nstream\n"
                    .utf8)
                + [UInt8](repeating: 0xFF, count: 64) + Array("\nendstream".utf8))
        let content = "q 200 0 0 200 0 0 cm /Im0 Do Q"
        object(Array("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream".utf8))
        let xref = out.count
        var table = "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
        for o in offsets { table += String(format: "%010d 00000 n \n", o) }
        table += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }
}
