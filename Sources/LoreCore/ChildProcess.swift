import Foundation

/// A child process run to its end with both of its output streams collected.
public enum ChildProcess {
    /// What a finished child left: its exit status and everything it wrote.
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: Data
        public var standardError: Data
        /// True when the child was stopped at `timeout` (its status is then the signal's).
        public var timedOut = false
    }

    /// Runs `executable` and blocks until it exits. Standard output is read on the calling
    /// thread and standard error on a `Thread` of its own, so that neither pipe can fill up
    /// and stall the child. Never a Dispatch global queue: on Linux the Swift concurrency
    /// executor runs its jobs on those queues' few worker threads, and reads blocked there
    /// until a child exits stall every task of the process. `started` sees the child's pid
    /// before anything is read; `input` is written to its standard input (else it reads
    /// nothing). A child still running after `timeout` seconds is stopped (SIGTERM, SIGKILL
    /// 5 s later) and its output so far returned with `timedOut`.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil,
        input: String? = nil, timeout: Double? = nil, started: (Int32) -> Void = { _ in }
    ) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = input.map { _ in Pipe() }
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
        started(process.processIdentifier)
        if let stdin, let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        // The reader's write happens before `signal`, the read below after `wait`.
        let errors = Box()
        let drained = DispatchSemaphore(value: 0)
        Thread {
            errors.data = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }.start()
        let exited = DispatchSemaphore(value: 0)
        let stopped = Flag()
        if let timeout {
            let pid = process.processIdentifier
            Thread {
                guard exited.wait(timeout: .now() + timeout) == .timedOut else { return }
                stopped.set()
                kill(pid, SIGTERM)
                if exited.wait(timeout: .now() + 5) == .timedOut { kill(pid, SIGKILL) }
            }.start()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        exited.signal()
        exited.signal()
        return Output(
            status: process.terminationStatus, standardOutput: output, standardError: errors.data, timedOut: stopped.isSet)
    }

    private final class Box: @unchecked Sendable { var data = Data() }
    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}
