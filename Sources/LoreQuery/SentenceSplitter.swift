import Foundation

/// Splits passage text into sentences for the extractive answerer: at `.`, `!` or `?`
/// followed by white space, and at line breaks (headings, list items and table rows are
/// their own units). Common abbreviations and decimal numbers do not end a sentence.
public enum SentenceSplitter {
    static let abbreviations: Set<String> = ["e.g", "i.e", "etc", "vs", "mr", "mrs", "dr", "no", "fig", "approx", "cf", "al"]

    public static func split(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
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

    private static func append(_ out: inout [String], _ s: String) {
        let t = s.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { out.append(t) }
    }
}

