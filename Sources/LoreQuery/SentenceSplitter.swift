import Foundation

/// Splits passage text into sentences for the extractive answerer: at `.`, `!` or `?`
/// followed by white space, and at line breaks (headings, list items and table rows are
/// their own units). Common abbreviations and decimal numbers do not end a sentence.
public enum SentenceSplitter {
    static let abbreviations: Set<String> = ["e.g", "i.e", "etc", "vs", "mr", "mrs", "dr", "no", "fig", "approx", "cf", "al"]

    public static func split(_ text: String) -> [String] {
        var out: [String] = []
        for line in units(text) {
            var current = ""
            let chars = Array(line)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                current.append(c)
                if c == "." || c == "!" || c == "?" {
                    let next = i + 1 < chars.count ? chars[i + 1] : " "
                    if next == " " || next == "\t" {
                        let word = current.split(separator: " ").last.map { String($0.dropLast()).lowercased() } ?? ""
                        if !(c == "." && abbreviations.contains(word)) {
                            append(&out, current)
                            current = ""
                        }
                    }
                }
                i += 1
            }
            append(&out, current)
        }
        return out
    }

    /// The text's lines joined back into paragraphs: hard-wrapped prose becomes one unit,
    /// while blank lines, list items, table rows and indented code start new units.
    static func units(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                if !current.isEmpty { out.append(current); current = "" }
                continue
            }
            let indented = raw.hasPrefix("    ") || raw.hasPrefix("\t")
            let starts =
                indented || line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("|") || line.hasPrefix("#")
                || line.first.map { $0.isNumber } == true && line.prefix(4).contains(".")
            if starts || indented {
                if !current.isEmpty { out.append(current) }
                current = line
                if indented { out.append(current); current = "" }
            } else {
                current += current.isEmpty ? line : " " + line
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    private static func append(_ out: inout [String], _ s: String) {
        let t = s.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { out.append(t) }
    }
}
