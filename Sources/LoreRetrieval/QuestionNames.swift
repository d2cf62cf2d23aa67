import LoreStore

/// A name in a question: a proper noun, an acronym or a code identifier that a corpus either
/// mentions or does not. When a question asks about something the documents never name
/// ("SQLCipher", "Litestream", "register_adapter"), no passage can answer it, however
/// similar its other words make the nearest passage look: Lore then refuses.
public struct QuestionName: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Capitalised inside a sentence, or with a capital after its first letter
        /// (`Kubernetes`, `JDBC`, `SQLCipher`): the corpus must contain the word.
        case properNoun
        /// Joined by `_`, `.` or `::` (`register_adapter`, `Microsoft.Data.Sqlite`): the corpus
        /// must contain its words as a phrase.
        case identifier
        /// Words joined by `-` (`sqlite-vss`, `non-English`): compounds such as `read-only`
        /// are phrased many ways, so only a part the corpus never uses makes it unknown.
        case hyphenated
    }

    /// As written in the question.
    public var text: String
    /// Its words as the full-text index tokenizes them (lower case).
    public var terms: [String]
    public var kind: Kind

    public init(text: String, terms: [String], kind: Kind) {
        self.text = text
        self.terms = terms
        self.kind = kind
    }

    /// The names in `question`, each once, in order. The first word of a sentence is a
    /// name only when it has a capital after its first letter; a possessive `'s` is
    /// dropped; words shorter than two letters and plain numbers are never names. A run of
    /// two or more title-case words ("Entity Framework Core") is also a name of its own,
    /// checked as a phrase.
    public static func extract(_ question: String) -> [QuestionName] {
        var out: [QuestionName] = []
        var seen = Set<[String]>()
        func add(_ name: QuestionName) {
            if seen.insert(name.terms).inserted { out.append(name) }
        }
        // A run of title-case words inside a sentence ("Entity Framework Core") is one name.
        var run: [String] = []
        func flushRun() {
            if run.count >= 2 {
                let text = run.joined(separator: " ")
                add(QuestionName(text: text, terms: run.flatMap { LexicalQuery.terms($0) }, kind: .properNoun))
            }
            run = []
        }
        var sentenceStart = true
        let question = withoutPlaceholders(question)
        // Brackets, commas and quotes separate words (`f(db, 0)`), besides white space.
        let pieces = question.split { $0.isWhitespace || "()[]{},;\"`".contains($0) }
        var offset = question.startIndex
        for raw in pieces {
            // A sentence ends at . ? ! or : before this piece.
            let between = question[offset..<raw.startIndex]
            if between.contains(where: { ".?!:".contains($0) }) { sentenceStart = true }
            offset = raw.endIndex
            let startsSentence = sentenceStart
            sentenceStart = raw.last.map { ".?!:".contains($0) } ?? false
            var token = Substring(raw)
            while let c = token.first, !(c.isLetter || c.isNumber) { token = token.dropFirst() }
            while let c = token.last, !(c.isLetter || c.isNumber) { token = token.dropLast() }
            for suffix in ["'s", "’s"] where token.hasSuffix(suffix) { token = token.dropLast(suffix.count) }
            let word = String(token)
            let terms = LexicalQuery.terms(word)
            guard !terms.isEmpty, terms.joined().count >= 2, terms.contains(where: { $0.count >= 2 }),
                !terms.allSatisfy({ $0.allSatisfy(\.isNumber) })
            else { flushRun(); continue }
            let titleCase = terms.count == 1 && word.first!.isUppercase && !word.dropFirst().contains(where: \.isUppercase)
            // A sentence's first word never opens a run ("Does Core Data ..." names "Core Data").
            if titleCase && !startsSentence { run.append(word) } else { flushRun() }
            if raw.last.map({ ".?!:".contains($0) }) ?? false { flushRun() }
            let kind: Kind
            if terms.count > 1 {
                if word.contains("_") || word.contains(".") || word.contains("::") || word.contains("/") {
                    kind = .identifier
                } else if word.contains("-") {
                    kind = .hyphenated
                } else {
                    continue  // apostrophes: not one name
                }
            } else if isCapitalised(word, sentenceStart: startsSentence) {
                kind = .properNoun
            } else {
                continue
            }
            add(QuestionName(text: word, terms: terms, kind: kind))
        }
        flushRun()
        return out
    }

    /// `text` with redaction placeholders (`[EMAIL]`, `[AWS_KEY]`: capitals, digits and `_`
    /// in square brackets, as the guardrails write them) blanked out: they are not names.
    static func withoutPlaceholders(_ text: String) -> String {
        guard text.contains("[") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "]"), close > after.startIndex,
                after[..<close].allSatisfy({ ($0.isUppercase && $0.isASCII) || $0.isNumber || $0 == "_" }),
                after.first!.isUppercase
            {
                out += " "
                rest = after[after.index(after: close)...]
            } else {
                out += "["
                rest = after
            }
        }
        return out + rest
    }

    /// A capital after the first character (`SQLCipher`, `JDBC`, `iOS`), or a leading
    /// capital that does not start a sentence.
    static func isCapitalised(_ word: String, sentenceStart: Bool) -> Bool {
        guard let first = word.first else { return false }
        if word.dropFirst().contains(where: \.isUppercase) { return true }
        return first.isUppercase && !sentenceStart
    }
}

extension Store {
    /// The names no chunk of the collection contains: a proper noun or identifier whose
    /// words never occur as a phrase, or a hyphenated compound with a part never used.
    public func unknownNames(_ names: [QuestionName], collectionID: Int64) throws -> [QuestionName] {
        try names.filter { name in
            switch name.kind {
            case .properNoun, .identifier:
                return try !containsPhrase(name.terms, collectionID: collectionID)
            case .hyphenated:
                for t in name.terms where t.count >= 3 && !t.allSatisfy(\.isNumber) {
                    if try !containsPhrase([t], collectionID: collectionID) { return true }
                }
                return false
            }
        }
    }
}

extension QuestionName {
    /// `question` with every occurrence of `names` (and a possessive `'s` after one) taken
    /// out, spaces tidied: what the question asks once its names are set aside.
    public static func removing(_ names: [String], from question: String) -> String {
        var out = question
        for name in names.sorted(by: { $0.count > $1.count }) where !name.isEmpty {
            for suffix in ["'s", "’s", ""] {
                out = out.replacingOccurrences(of: name + suffix, with: " ")
            }
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
