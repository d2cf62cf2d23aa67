import Foundation

/// A document's text cut into windows of a sentence or a few, for the classifier: an
/// instruction planted in a long passage barely moves the passage's embedding (mean
/// pooling averages it with everything around it), but it dominates the embedding of the
/// window that holds it.
///
/// Windows break at blank lines and after sentence ends (`.`, `!`, `?`, `;`, `:` before white
/// space). A piece of fewer than ``minWords`` words (a heading, a table rule, a line of code,
/// a hash: words are letters only) is joined to the next one, the last to the one before: a scrap reads as anything to the
/// model. Pieces of one paragraph are packed up to ``maxBytes``, and a text that would give
/// more than ``maxWindows`` is packed coarser until it does not. `scripts/guard_common.py`
/// cuts the same windows for training; the two must change together.
enum InjectionWindows {
    static let maxBytes = 160
    static let minWords = 6
    static let maxWindows = 16

    /// The windows of `text` as UTF-8 byte ranges, in order; none when the text is one window.
    static func ranges(_ text: String) -> [Range<Int>] {
        let b = Array(text.utf8)
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        /// Runs of letters and digits (a non-ASCII byte counts as a letter) of two or more
        /// bytes and no digit: a hash or an identifier with digits is no word.
        func words(_ r: Range<Int>) -> Int {
            var n = 0, run = 0, digit = false
            for c in b[r] + [0x20] {
                if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c >= 0x80 {
                    run += 1
                } else if c >= 0x30 && c <= 0x39 {
                    run += 1
                    digit = true
                } else {
                    if run >= 2 && !digit { n += 1 }
                    run = 0
                    digit = false
                }
            }
            return n
        }
        var pieces: [(range: Range<Int>, paragraph: Int)] = []
        var start = 0, paragraph = 0, i = 0
        func emit(_ from: Int, _ to: Int) {
            var lo = from, hi = to
            while lo < hi, space(b[lo]) { lo += 1 }
            while hi > lo, space(b[hi - 1]) { hi -= 1 }
            if lo < hi { pieces.append((lo..<hi, paragraph)) }
        }
        while i < b.count {
            let c = b[i]
            if c == 0x0A {
                var j = i + 1
                while j < b.count, b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0D { j += 1 }
                if j < b.count, b[j] == 0x0A {
                    emit(start, i)
                    paragraph += 1
                    start = j + 1
                    i = j + 1
                    continue
                }
            } else if [0x2E, 0x21, 0x3F, 0x3B, 0x3A].contains(c), i + 1 < b.count, space(b[i + 1]) {
                emit(start, i + 1)
                start = i + 1
            }
            i += 1
        }
        emit(start, b.count)

        var limit = maxBytes
        while true {
            var out: [(range: Range<Int>, paragraph: Int)] = []
            for p in pieces {
                if let last = out.last,
                    words(last.range) < minWords || (last.paragraph == p.paragraph && p.range.upperBound - last.range.lowerBound <= limit)
                {
                    out[out.count - 1] = (last.range.lowerBound..<p.range.upperBound, p.paragraph)
                } else {
                    out.append(p)
                }
            }
            if out.count >= 2, words(out[out.count - 1].range) < minWords {
                let last = out.removeLast()
                out[out.count - 1] = (out[out.count - 1].range.lowerBound..<last.range.upperBound, last.paragraph)
            }
            if out.count <= maxWindows { return out.count >= 2 ? out.map(\.range) : [] }
            limit *= 2
            pieces = out
            if limit > 4 * maxBytes {
                while out.count > maxWindows {
                    out = stride(from: 0, to: out.count, by: 2).map { k in
                        k + 1 < out.count ? (out[k].range.lowerBound..<out[k + 1].range.upperBound, out[k + 1].paragraph) : out[k]
                    }
                }
                return out.map(\.range)
            }
        }
    }

    /// The windows' texts with their ranges.
    static func split(_ text: String) -> [(text: String, utf8Range: Range<Int>)] {
        let b = Array(text.utf8)
        return ranges(text).map { (String(decoding: b[$0], as: UTF8.self), $0) }
    }
}
