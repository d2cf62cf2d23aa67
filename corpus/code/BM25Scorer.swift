// BM25Scorer.swift
// An in-memory Okapi BM25 scorer. Lore normally lets SQLite FTS5 compute BM25, but this
// small implementation is used by unit tests and by the `lore explain` command, which
// prints the contribution of every query term to a chunk's score.

import Foundation

/// Parameters of the Okapi BM25 ranking function.
public struct BM25Parameters: Sendable, Equatable {
    /// Term-frequency saturation. Typical values are 1.2 to 2.0.
    public var k1: Double = 1.2
    /// Document-length normalization, from 0 (none) to 1 (full).
    public var b: Double = 0.75

    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }
}

/// Scores documents against a bag-of-words query.
public struct BM25Scorer: Sendable {
    public let parameters: BM25Parameters
    private var documentFrequency: [String: Int] = [:]
    private var termCounts: [[String: Int]] = []
    private var lengths: [Int] = []

    public init(parameters: BM25Parameters = BM25Parameters()) {
        self.parameters = parameters
    }

    /// Lower-cases and splits on anything that is not a letter or a digit.
    public static func tokenize(_ text: String) -> [String] {
        text.lowercased()
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            .map(String.init)
    }

    /// Adds a document and returns its index.
    @discardableResult
    public mutating func add(_ text: String) -> Int {
        let tokens = Self.tokenize(text)
        var counts: [String: Int] = [:]
        for token in tokens { counts[token, default: 0] += 1 }
        for term in counts.keys { documentFrequency[term, default: 0] += 1 }
        termCounts.append(counts)
        lengths.append(tokens.count)
        return termCounts.count - 1
    }

    /// Inverse document frequency with the "+1" variant, which is never negative.
    public func idf(_ term: String) -> Double {
        let n = Double(termCounts.count)
        let df = Double(documentFrequency[term] ?? 0)
        return log((n - df + 0.5) / (df + 0.5) + 1.0)
    }

    /// BM25 score of document `index` for `query`.
    public func score(_ query: String, document index: Int) -> Double {
        guard termCounts.indices.contains(index) else { return 0 }
        let averageLength = Double(lengths.reduce(0, +)) / Double(max(lengths.count, 1))
        let length = Double(lengths[index])
        let (k1, b) = (parameters.k1, parameters.b)
        var total = 0.0
        for term in Set(Self.tokenize(query)) {
            let tf = Double(termCounts[index][term] ?? 0)
            guard tf > 0 else { continue }
            let norm = k1 * (1 - b + b * length / max(averageLength, 1))
            total += idf(term) * tf * (k1 + 1) / (tf + norm)
        }
        return total
    }

    /// Indices of the best `k` documents, highest score first; zero scores are dropped.
    public func search(_ query: String, k: Int = 10) -> [(index: Int, score: Double)] {
        termCounts.indices
            .map { (index: $0, score: score(query, document: $0)) }
            .filter { $0.score > 0 }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
            .prefix(k)
            .map { $0 }
    }
}
