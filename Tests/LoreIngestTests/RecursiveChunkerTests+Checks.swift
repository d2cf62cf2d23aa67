import LoreCore
import LoreIngest
import Testing

/// The property checks of the chunker tests, each returning the violations it finds.
extension RecursiveChunkerTests {
    /// The chunks of every property document under each of `settings`, computed once for all the properties.
    static let chunked: [[[Chunk]]] = settings.map { options in
        let chunker = try! RecursiveChunker(counter: tokenizer, options: options)
        return GeneratedDocuments.all.map { chunker.chunk($0) }
    }

    /// Checks `property` on every property document chunked with `options`, recording the violations.
    func check(
        _ options: ChunkingOptions, sourceLocation: SourceLocation = #_sourceLocation,
        _ property: (Document, [Chunk]) -> [String]
    ) throws {
        let all: [[Chunk]]
        if let k = Self.settings.firstIndex(of: options) {
            all = Self.chunked[k]
        } else {
            let chunker = try RecursiveChunker(counter: Self.tokenizer, options: options)
            all = GeneratedDocuments.all.map { chunker.chunk($0) }
        }
        var failures: [String] = []
        for (doc, chunks) in zip(GeneratedDocuments.all, all) {
            let violations = property(doc, chunks)
            if let first = violations.first { failures.append("\(doc.source): \(first) (\(violations.count) in all)") }
        }
        #expect(
            failures.isEmpty,
            "size \(options.size), overlap \(options.overlap): \(failures.count) documents fail; \(failures.prefix(5).joined(separator: "; "))",
            sourceLocation: sourceLocation)
    }

    /// Chunk texts match the document, ordinals count from 0, starts increase, and every
    /// character the tokenizer reads lies in some chunk.
    static func coverageViolations(_ doc: Document, _ chunks: [Chunk]) -> [String] {
        let bytes = Array(doc.text.utf8)
        var v: [String] = []
        var covered = [Bool](repeating: false, count: bytes.count)
        for (k, c) in chunks.enumerated() {
            if c.ordinal != k { v.append("chunk \(k) has ordinal \(c.ordinal)") }
            guard c.range.lowerBound >= 0, c.range.upperBound <= bytes.count, !c.range.isEmpty else {
                v.append("chunk \(k) range \(c.range) is empty or outside the text"); continue
            }
            if Array(c.text.utf8) != Array(bytes[c.range]) { v.append("chunk \(k) text differs from the text at \(c.range)") }
            if k > 0, c.range.lowerBound <= chunks[k - 1].range.lowerBound {
                v.append("chunk \(k) starts at \(c.range.lowerBound), not after chunk \(k - 1)")
            }
            for i in c.range { covered[i] = true }
        }
        for r in runs[doc.source] ?? contentRuns(doc.text) where !covered[r].allSatisfy({ $0 }) {
            v.append("text at \(r) (\(String(decoding: bytes[r], as: UTF8.self).prefix(40))) is in no chunk")
            break
        }
        return v
    }

    /// Consecutive chunks of one section share at most `overlap` tokens and leave nothing but
    /// ignorable characters between them; chunks of different sections do not overlap.
    static func overlapViolations(_ doc: Document, _ chunks: [Chunk], overlap: Int) -> [String] {
        let bytes = Array(doc.text.utf8)
        var v: [String] = []
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            guard let sa = sectionIndex(of: a, in: doc), sa == sectionIndex(of: b, in: doc) else {
                if b.range.lowerBound < a.range.upperBound {
                    v.append("chunks \(a.ordinal) and \(b.ordinal) of different sections overlap")
                }
                continue
            }
            if b.range.lowerBound < a.range.upperBound {
                let shared = String(decoding: bytes[b.range.lowerBound..<a.range.upperBound], as: UTF8.self)
                let tokens = tokenizer.countTokens(shared)
                if tokens > overlap { v.append("chunks \(a.ordinal) and \(b.ordinal) share \(tokens) tokens, over \(overlap)") }
                if b.range.upperBound <= a.range.upperBound { v.append("chunk \(b.ordinal) lies inside chunk \(a.ordinal)") }
            } else if !isIgnorable(bytes[a.range.upperBound..<b.range.lowerBound]) {
                v.append("text between chunks \(a.ordinal) and \(b.ordinal) is in neither")
            }
        }
        return v
    }

    /// Each chunk lies within one section and carries its heading path and page.
    static func sectionViolations(_ doc: Document, _ chunks: [Chunk]) -> [String] {
        chunks.compactMap { c in
            guard let k = sectionIndex(of: c, in: doc) else { return "chunk \(c.ordinal) at \(c.range) straddles a section boundary" }
            let s = doc.sections[k]
            if c.headingPath != s.headingPath {
                return "chunk \(c.ordinal) has heading path \(c.headingPath), its section \(s.headingPath)"
            }
            if c.page != s.page {
                return "chunk \(c.ordinal) has page \(String(describing: c.page)), its section \(String(describing: s.page))"
            }
            return nil
        }
    }

    /// The number of pre-tokens (words, punctuation, CJK characters) in `text`.
    static func preTokenCount(_ text: String) -> Int {
        var n = 0
        var copy = text
        copy.withUTF8 { tokenizer.forEachPretoken(in: $0) { _, _ in n += 1 } }
        return n
    }

    /// The index of the section holding all of `chunk`, or nil when it straddles sections.
    static func sectionIndex(of chunk: Chunk, in doc: Document) -> Int? {
        doc.sections.firstIndex { $0.range.lowerBound <= chunk.range.lowerBound && chunk.range.upperBound <= $0.range.upperBound }
    }

    /// Whether the tokenizer ignores `u`: whitespace, control and format characters. Nothing else may be left out of chunks.
    static func isIgnorable(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return u.properties.isWhitespace || u == "\u{FFFD}"
        }
    }

    static func isIgnorable(_ bytes: ArraySlice<UInt8>) -> Bool {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.allSatisfy(isIgnorable)
    }

    /// The byte ranges of the maximal runs of text between ignorable characters.
    static func contentRuns(_ text: String) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start: Int? = nil
        var i = 0
        for u in text.unicodeScalars {
            if isIgnorable(u) {
                if let s = start { runs.append(s..<i); start = nil }
            } else if start == nil {
                start = i
            }
            i += UTF8.width(u)
        }
        if let s = start { runs.append(s..<i) }
        return runs
    }

    /// The content runs of every property document, by source.
    static let runs: [String: [Range<Int>]] = Dictionary(GeneratedDocuments.all.map { ($0.source, contentRuns($0.text)) }) { a, _ in a }
}
