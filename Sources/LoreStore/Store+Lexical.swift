import Foundation
import LoreCore
import Synchronization

/// One lexical (FTS5 BM25) match: the chunk and its BM25 score (higher is better).
public struct LexicalHit: Sendable, Equatable {
    public var chunkID: Int64
    public var score: Double
}

/// Turns free text into an FTS5 query that cannot be a syntax error: every word becomes a
/// quoted string (FTS5 reads operators, columns, prefixes and parentheses only outside
/// quotes, and a quote inside is doubled), and the words are joined by OR so that BM25
/// ranks chunks by how many of them, and how rare, they contain.
public enum LexicalQuery {
    /// The words of `text` as FTS5's unicode61 tokenizer sees them (letters and digits),
    /// lower-cased, each once, at most `limit` of them.
    public static func terms(_ text: String, limit: Int = 64) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        var word = ""
        func flush() {
            if !word.isEmpty, seen.insert(word).inserted, out.count < limit { out.append(word) }
            word = ""
        }
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                word.unicodeScalars.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    /// English function words, dropped from a query that has other words: under OR they
    /// match nearly every chunk, which costs time and adds nothing BM25 would rank on.
    public static let stopwords: Set<String> = [
        "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "could", "did", "do", "does", "for", "from",
        "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "should", "so", "that", "the",
        "their", "then", "there", "these", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which",
        "who", "whom", "why", "will", "with", "would", "you", "your"
    ]

    /// The words a lexical search uses: `terms(text)` without stopwords, unless only
    /// stopwords remain (then all of them).
    public static func searchTerms(_ text: String) -> [String] {
        let all = terms(text)
        let content = all.filter { !stopwords.contains($0) }
        return content.isEmpty ? all : content
    }

    /// The FTS5 MATCH expression for `text`, or nil when it has no words.
    public static func match(_ text: String) -> String? { match(terms: searchTerms(text)) }

    /// The FTS5 MATCH expression for these words (each quoted, OR-joined), or nil for none.
    public static func match(terms t: [String]) -> String? {
        guard !t.isEmpty else { return nil }
        return t.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
    }
}

extension Store {
    /// The collection's chunks that best match `text` by BM25, best first. User text is
    /// never parsed as FTS5 syntax (see `LexicalQuery`); text with no words matches nothing.
    ///
    /// - Parameter commonShare: words in more than this share of the chunks are left out
    ///   when rarer ones remain (see `selectiveTerms`); 1 keeps every word.
    public func lexicalSearch(
        collectionID: Int64, text: String, limit: Int, filter: ChunkFilter = ChunkFilter(),
        commonShare: Double = TermStatistics.defaultCommonShare
    ) throws -> [LexicalHit] {
        guard limit > 0 else { return [] }
        let words = try selectiveTerms(LexicalQuery.searchTerms(text), commonShare: commonShare)
        guard let match = LexicalQuery.match(terms: words) else { return [] }
        if filter.isEmpty, let hits = try lexicalSearchUnjoined(collectionID: collectionID, match: match, limit: limit) {
            return hits
        }
        let (conditions, values) = filter.sqlConditions(document: "d")
        let s = try connection.prepare(
            """
            SELECT f.rowid, -bm25(chunks_fts) FROM chunks_fts f
            JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id
            WHERE chunks_fts MATCH ? AND +d.collection_id = ?\(conditions)
            ORDER BY bm25(chunks_fts) LIMIT ?
            """)
        defer { s.reset() }
        try s.bind([.text(match), .int(collectionID)] + values + [.int(Int64(limit))])
        var out: [LexicalHit] = []
        while try s.step() { out.append(LexicalHit(chunkID: s.int(0), score: s.double(1))) }
        return out
    }

    /// The fast path without a filter: rank over the FTS index alone (joining every match
    /// to its document costs half as much again), then keep the collection's chunks. Exact
    /// when the collection's share of the top `limit × spare` holds `limit` hits or the
    /// matches ran out; nil otherwise (the caller runs the joined query).
    private func lexicalSearchUnjoined(collectionID: Int64, match: String, limit: Int) throws -> [LexicalHit]? {
        let collections = try connection.scalarInt("SELECT count(*) FROM collections") ?? 1
        let fetch = collections <= 1 ? limit : limit * 4
        let s = try connection.prepare(
            "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?")
        defer { s.reset() }
        try s.bind([.text(match), .int(Int64(fetch))])
        var ranked: [LexicalHit] = []
        while try s.step() { ranked.append(LexicalHit(chunkID: s.int(0), score: s.double(1))) }
        s.reset()
        guard !ranked.isEmpty else { return [] }
        // Which of them belong to the collection (one query).
        let placeholders = Array(repeating: "?", count: ranked.count).joined(separator: ",")
        let m = try connection.prepare(
            """
            SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE +d.collection_id = ? AND c.id IN (\(placeholders))
            """)
        defer { m.reset() }
        try m.bind([.int(collectionID)] + ranked.map { .int($0.chunkID) })
        var members = Set<Int64>()
        while try m.step() { members.insert(m.int(0)) }
        let kept = ranked.filter { members.contains($0.chunkID) }
        if kept.count >= limit { return Array(kept.prefix(limit)) }
        return ranked.count < fetch ? kept : nil
    }
}

/// Document frequencies of words in the full-text index, cached until the store changes.
/// A word in more than `commonShare` of all chunks adds little to BM25 (its IDF is low)
/// but makes FTS5 score every chunk that holds it: lexical search leaves such words out
/// when the question has rarer ones.
public final class TermStatistics: @unchecked Sendable {
    /// The default share of chunks above which a word counts as common
    /// (`retrieval.common_term_share`).
    public static let defaultCommonShare = 0.1
    private var frequencies: [String: Int] = [:]
    private var chunks = 0
    private var stamp: (own: Int64, others: Int64) = (-1, -1)
    /// Guards `frequencies`, `chunks` and `stamp` (kept beside it: `body` takes two of them inout).
    private let lock = Mutex(())

    /// Runs `body` with the cache, emptied first if the store changed since it was filled.
    func with<T>(_ connection: SQLiteConnection, _ body: (inout [String: Int], inout Int) throws -> T) throws -> T {
        try lock.withLock { () throws -> T in try unlockedWith(connection, body) }
    }

    private func unlockedWith<T>(_ connection: SQLiteConnection, _ body: (inout [String: Int], inout Int) throws -> T) throws -> T {
        let now = try connection.changeStamp()
        if now != stamp {
            frequencies.removeAll(keepingCapacity: true)
            chunks = Int(try connection.scalarInt("SELECT count(*) FROM chunks") ?? 0)
            stamp = now
        }
        return try body(&frequencies, &chunks)
    }
}

extension Store {
    /// How many chunks (of every collection) hold each word, as FTS5 stems it; cached until
    /// the store changes.
    func documentFrequencies(_ words: [String]) throws -> [Int] {
        try termStatistics.with(connection) { cache, _ in
            let count = try connection.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?")
            return try words.map { w in
                if let n = cache[w] { return n }
                count.reset()
                try count.bind([.text("\"" + w.replacingOccurrences(of: "\"", with: "\"\"") + "\"")])
                let n = try count.step() ? Int(count.int(0)) : 0
                count.reset()
                cache[w] = n
                return n
            }
        }
    }

    /// `words` without those in more than `commonShare` of the chunks, unless that would
    /// leave none (then the rarest half, at least one, by frequency). FTS5 stems words
    /// (porter), so a word is counted with an FTS5 query for it, once per word until the
    /// store changes.
    func selectiveTerms(_ words: [String], commonShare: Double) throws -> [String] {
        guard words.count > 1, commonShare < 1 else { return words }
        let chunks = try termStatistics.with(connection) { _, chunks in chunks }
        guard chunks > 200 else { return words }  // small stores: nothing to gain
        let df = try documentFrequencies(words)
        let limit = Int(Double(chunks) * commonShare)
        let rare = zip(words, df).filter { $0.1 <= limit }.map(\.0)
        if !rare.isEmpty { return rare }
        let ranked = zip(words, df).sorted { $0.1 < $1.1 }.map(\.0)
        return Array(ranked.prefix(max(1, ranked.count / 2)))
    }
}

extension Store {
    /// Whether some chunk of the collection contains these words, in this order, as a
    /// phrase (FTS5 tokenizes and stems them as it did the chunks).
    public func containsPhrase(_ terms: [String], collectionID: Int64) throws -> Bool {
        guard !terms.isEmpty else { return false }
        let phrase = "\"" + terms.joined(separator: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let s = try connection.prepare(
            """
            SELECT 1 FROM chunks_fts f JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id
            WHERE chunks_fts MATCH ? AND +d.collection_id = ? LIMIT 1
            """)
        defer { s.reset() }
        try s.bind([.text(phrase), .int(collectionID)])
        return try s.step()
    }
}
