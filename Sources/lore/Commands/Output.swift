import ArgumentParser
import Foundation
import LoreApp

/// Prints what LoreApp's commands return, and turns their outcomes into the parser's: the
/// status into the exit code, a `UsageError` into a `ValidationError` (message and usage).
enum Output {
    /// Text printed and flushed at once (streamed answers, `--verbose` lines).
    static let live: LiveOutput = { text in
        print(text, terminator: "")
        fflush(nil)
    }

    /// Runs a command and prints its output; a non-zero status becomes the exit code.
    static func emit(_ body: () throws -> CommandOutput) throws {
        do { try write(body()) } catch { try fail(error) }
    }

    /// Runs an asynchronous command and prints its output; a non-zero status becomes the exit code.
    static func emit(_ body: () async throws -> CommandOutput) async throws {
        do { try write(await body()) } catch { try fail(error) }
    }

    /// Runs LoreApp code that prints nothing itself (option checks, the chat), reporting its
    /// failures as the parser does.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { try fail(error) }
    }

    /// The asynchronous form of `mapping`.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { try fail(error) }
    }

    private static func write(_ output: CommandOutput) throws {
        for (stream, text) in output.parts {
            switch stream {
            case .standardOutput: print(text, terminator: "")
            case .standardError: FileHandle.standardError.write(Data(text.utf8))
            }
        }
        if output.status != 0 { throw ExitCode(output.status) }
    }

    private static func fail(_ error: any Error) throws -> Never {
        switch error {
        case let e as UsageError: throw ValidationError(e.description)
        case let e as InterruptedOutput:
            try write(e.output)
            try fail(e.error)
        default: throw error
        }
    }
}
