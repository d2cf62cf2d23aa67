/// A failure the command line reports as one line on standard error, with a non-zero status.
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
