import Foundation
import LoreCore
import LoreEmbed

/// Where things are, for tests.
public enum TestPaths {
    /// The repository root (found from this file's path).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `Tests/Fixtures/ingest`.
    public static var ingestFixtures: String { repositoryRoot + "/Tests/Fixtures/ingest" }
    /// Office, OpenDocument, EPUB and scanned files made by real software, with their
    /// `manifest.json` (scripts/make-document-fixtures).
    public static var documentFixtures: String { repositoryRoot + "/Tests/Fixtures/documents" }

    /// The demo corpus.
    public static var corpus: String { repositoryRoot + "/corpus" }

    /// all-MiniLM-L6-v2, as fetched by `scripts/fetch-models`.
    public static var model: String {
        ProcessInfo.processInfo.environment["LORE_MODELS_DIR"].map { $0 + "/all-MiniLM-L6-v2" } ?? repositoryRoot
            + "/models/all-MiniLM-L6-v2"
    }

    /// The built `lore` executable: `$LORE_BIN`, or beside the test bundle.
    public static var loreBinary: String {
        if let env = ProcessInfo.processInfo.environment["LORE_BIN"] { return env }
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
            .deletingLastPathComponent()
        let candidate = bundleDir.appendingPathComponent("lore").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        for config in ["release", "debug"] {
            let p = repositoryRoot + "/.build/\(config)/lore"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return candidate
    }
}

/// The real tokenizer, loaded once.
public enum TestModel {
    public static let tokenizer: WordPieceTokenizer = {
        do { return try WordPieceTokenizer(modelDirectory: TestPaths.model) } catch {
            fatalError("cannot load the model vocabulary (run scripts/fetch-models): \(error)")
        }
    }()
}

/// A temporary directory removed when the value is deinitialised.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "lore-test") {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` to `name` (creating directories) and returns the full path.
    @discardableResult
    public func write(_ name: String, _ contents: String) -> String {
        write(name, bytes: Array(contents.utf8))
    }

    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let full = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    /// Copies a file or directory into this directory under `name`.
    @discardableResult
    public func copy(_ source: String, as name: String) -> String {
        let full = path + "/" + name
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! FileManager.default.copyItem(atPath: source, toPath: full)
        return full
    }
}

/// The result of running a process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// A child process that was still running at its deadline (and was stopped).
public struct ProcessTimeout: Error, CustomStringConvertible {
    public var description: String
}

/// Runs an executable to completion, capturing its output; `input` (if any) is written to
/// its standard input, which is then closed (else standard input is /dev/null). A child
/// still running after `timeout` seconds (15 minutes by default: no test's child should
/// come near it) is stopped and `ProcessTimeout` thrown with what it wrote, so that a hung
/// child fails its test instead of holding the run until CI's limit.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    currentDirectory: String? = nil, input: String? = nil, timeout: Double = 900
) throws -> ProcessResult {
    let r = try ChildProcess.run(
        executable, arguments, environment: environment, currentDirectory: currentDirectory, input: input, timeout: timeout,
        started: ChildWatchdog.watch)
    if r.timedOut {
        throw ProcessTimeout(
            description:
                "\(executable) \(arguments.joined(separator: " ")): still running after \(Int(timeout)) s, stopped; its standard error ended with: \(String(decoding: r.standardError.suffix(2000), as: UTF8.self))"
        )
    }
    return ProcessResult(
        status: r.status, stdout: String(decoding: r.standardOutput, as: UTF8.self),
        stderr: String(decoding: r.standardError, as: UTF8.self))
}

/// Runs `lore` with `arguments`.
public func runLore(_ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil) throws -> ProcessResult {
    try runProcess(TestPaths.loreBinary, arguments, environment: environment, currentDirectory: currentDirectory)
}

/// Runs `work`, which blocks (waits for a process, reads a pipe), on a thread of its own and
/// awaits its result: an async test that waits for a curl never holds one of the cooperative
/// pool's threads, which a server running in the test process needs to answer that curl.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// `runProcess` on a thread of its own (see `offPool`).
public func runProcessOffPool(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil
) async throws -> ProcessResult {
    try await offPool { try runProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory) }
}
