import Foundation

/// The classifier's input: the text's sentence embedding (all-MiniLM-L6-v2, 384 dimensions)
/// followed by a handful of structural features, all computed here so that the training
/// script (`scripts/train-guard`, through `lore guard features`) and the query path see the
/// same numbers.
public enum InjectionFeatures {
    /// The embedding's width.
    public static let embeddingDimensions = 384
    /// The structural features, in order, after the embedding: where the text comes from
    /// and what the structural checks found. Surface statistics (length, line breaks,
    /// capitals, symbols, non-ASCII letters) are left out on purpose: trained on attack
    /// corpora and documentation they became shortcuts (a first model weighted line breaks
    /// 15.8 and flagged every chunk of the SQLite documentation).
    public static let structuralNames = ["where_document", "role_marker", "hidden_text", "data_url", "encoded_run"]
    /// Every feature name, in order (`e0` ... `e383`, then the structural ones).
    public static let names: [String] = (0..<embeddingDimensions).map { "e\($0)" } + structuralNames

    /// The feature vector of `text` with its embedding `vector`.
    static func vector(_ text: String, embedding: [Float], source: InjectionSource, scan: StructuralScan) -> [Float] {
        precondition(embedding.count == embeddingDimensions, "the classifier takes \(embeddingDimensions)-dimensional embeddings")
        return embedding + [
            source == .document ? 1 : 0,
            scan.roleMarker ? 1 : 0,
            scan.hiddenText ? 1 : 0,
            scan.dataURL ? 1 : 0,
            scan.encodedRun ? 1 : 0
        ]
    }

    /// The public form of ``vector(_:embedding:source:scan:)`` for `lore guard features`.
    public static func vector(_ text: String, embedding: [Float], source: InjectionSource) -> [Float] {
        vector(text, embedding: embedding, source: source, scan: InjectionStructure.scan(text, source: source))
    }

    static func describeDifference(_ a: [String], _ b: [String]) -> String {
        let missing = b.filter { !a.contains($0) }, extra = a.filter { !b.contains($0) }
        if missing.isEmpty && extra.isEmpty { return "the same names in another order" }
        return (missing.isEmpty ? "" : "missing \(missing.prefix(4).joined(separator: ", "))")
            + (extra.isEmpty ? "" : (missing.isEmpty ? "" : "; ") + "unknown \(extra.prefix(4).joined(separator: ", "))")
    }
}
