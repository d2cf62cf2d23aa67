import Foundation

/// The configured deny-list: case- and accent-insensitive phrases, where `*` stands for any
/// run of characters and the phrase must start and end at word boundaries
/// ("salary of *" matches "What is the salary of Ann?"; "rm" does not match "form").
public struct DenyList: Sendable {
    /// The patterns as configured (for findings), and their lowered pieces.
    let patterns: [(text: String, pieces: [String])]

    public init(_ patterns: [String]) {
        self.patterns = patterns.map { p in
            (p, DenyList.fold(p).components(separatedBy: "*").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }

    public var isEmpty: Bool { patterns.isEmpty }

    /// The patterns that `text` matches.
    public func matches(_ text: String) -> [String] {
        guard !patterns.isEmpty else { return [] }
        let t = " " + DenyList.fold(text) + " "
        return patterns.filter { DenyList.match($0.pieces, in: t) }.map(\.text)
    }

    /// Lowercase, without diacritics, with every non-alphanumeric run as one space.
    static func fold(_ s: String) -> String {
        let lowered = s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out = ""
        out.reserveCapacity(lowered.utf8.count)
        var space = false
        for ch in lowered.unicodeScalars {
            if CharacterSet.alphanumerics.contains(ch) {
                out.unicodeScalars.append(ch); space = false
            } else if !space {
                out.append(" "); space = true
            }
        }
        return out
    }

    /// Each piece in order, the first and last at word boundaries (the text is padded with
    /// spaces, and pieces are whole words).
    static func match(_ pieces: [String], in text: String) -> Bool {
        guard !pieces.isEmpty else { return false }
        var from = text.startIndex
        for piece in pieces {
            guard let r = text.range(of: " " + piece + " ", range: from..<text.endIndex) else { return false }
            from = text.index(before: r.upperBound)
        }
        return true
    }
}
