/// The prompt names the query pipeline uses, and the variables each must declare and use.
public enum KnownPrompts {
    /// Answers a question from numbered sources.
    public static let answer = "answer"
    /// Rewrites a follow-up question into a standalone one, given the conversation.
    public static let condense = "condense"

    /// Required variables per name: every version must declare and use them, and `render`
    /// throws when one is not passed. Other names have none.
    public static let requiredVariables: [String: [String]] = [
        answer: ["question", "context"],
        condense: ["question", "history"]
    ]

    public static func required(for name: String) -> [String] { requiredVariables[name] ?? [] }
}
