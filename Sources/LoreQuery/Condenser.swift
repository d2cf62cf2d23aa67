import LoreCore

/// Turns a follow-up question into a standalone one for retrieval, without an LLM: when
/// the question leans on the conversation (a pronoun or demonstrative with no subject of
/// its own, an elliptical "and ...?" or "what about ...?", or very few words), the last
/// user question is appended after a dash, so that both the embedding and BM25 see its subject.
/// With an LLM backend the `condense` prompt does this instead (see `QueryService`).
public enum HeuristicCondenser {
    static let referring: Set<String> = [
        "it", "its", "this", "that", "these", "those", "they", "them", "their", "there", "he", "she", "him", "her",
        "one", "ones", "same", "former", "latter", "above"
    ]
    static let openers = ["and ", "what about", "how about", "also", "but ", "so ", "then ", "why not", "what else"]

    /// The standalone question (the question itself when it needs no context or there is no history).
    public static func condense(_ question: String, history: [ChatMessage]) -> String {
        guard let previous = history.last(where: { $0.role == .user })?.content, !previous.isEmpty else { return question }
        let lower = question.lowercased()
        let words = lower.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        let refers = words.contains(where: referring.contains)
        let elliptical = openers.contains(where: { lower.hasPrefix($0) })
        let short = words.count <= 3
        guard refers || elliptical || short else { return question }
        // No words of its own: a marker such as "follow-up to:" would reach retrieval, and
        // its hyphenated compound would count as a name the documents must mention.
        return question + " — " + previous
    }
}
