import Foundation

/// What a command prints, in order, and the status it exits with. LoreApp's commands build
/// it; the executable writes each part to its stream and exits with `status`.
public struct CommandOutput: Sendable {
    /// The stream a part of the output goes to.
    public enum Stream: Sendable {
        /// Standard output.
        case standardOutput
        /// Standard error.
        case standardError
    }

    /// The text to write, part by part, exactly as given (no newline added).
    public var parts: [(stream: Stream, text: String)] = []

    /// The exit status (0 success).
    public var status: Int32 = 0

    /// An empty output with status 0.
    public init() {}

    /// Appends `text` and `terminator` to standard output, as `print` would write them.
    public mutating func print(_ text: String, terminator: String = "\n") {
        parts.append((.standardOutput, text + terminator))
    }

    /// Appends `text` (exactly) to standard error.
    public mutating func printError(_ text: String) {
        parts.append((.standardError, text))
    }

    /// Runs `body` on this output; an error it throws comes out as an `InterruptedOutput`
    /// carrying what was printed before it, so that the executable prints that first.
    public mutating func continuing(_ body: (inout CommandOutput) throws -> Void) throws {
        do { try body(&self) } catch { throw InterruptedOutput(output: self, error: error) }
    }
}

/// A command that failed after printing part of its output: the executable writes `output`,
/// then reports `error` as it would have been reported alone.
public struct InterruptedOutput: Error {
    /// What was printed before the failure.
    public var output: CommandOutput
    /// The failure.
    public var error: any Error
}

/// Text written to standard output as soon as it is known (streamed answers, one line per
/// file with `--verbose`), flushed at once; the executable supplies it.
public typealias LiveOutput = @Sendable (String) -> Void

/// A mistake in the command's options, found while running: the executable reports it as
/// the argument parser reports invalid options (the message, the usage, exit status 64).
public struct UsageError: Error, CustomStringConvertible {
    /// The message, naming the option.
    public var description: String

    /// A usage error with this message.
    public init(_ description: String) { self.description = description }
}

/// The JSON and size formatting the commands share.
public enum CommandText {
    /// `object` as JSON with sorted keys and unescaped slashes.
    public static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    /// An `Encodable` value as JSON with sorted keys and unescaped slashes (and snake-case keys
    /// when `snakeCase`).
    public static func json(encoding value: some Encodable, snakeCase: Bool = false) throws -> String {
        String(decoding: try encoder(snakeCase: snakeCase).encode(value), as: UTF8.self)
    }

    /// The encoder of `json(encoding:)`.
    public static func encoder(snakeCase: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return encoder
    }

    /// A byte count for people: `12 B`, `3.4 KiB`, `5.6 MiB`.
    public static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / 1048576) : n >= 1024 ? String(format: "%.1f KiB", Double(n) / 1024) : "\(n) B"
    }
}
