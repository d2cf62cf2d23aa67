/// Why a file could not be turned into documents. The message names what is wrong and,
/// where there is one, the fix.
public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case unsupported, malformed, unreadable, toolMissing = "tool-missing", empty, encrypted, tooLarge = "too-large"
    }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
