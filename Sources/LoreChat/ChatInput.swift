import Foundation

/// Where the chat's lines come from.
public protocol ChatInput: AnyObject, Sendable {
    /// The next line; nil when the input has ended (Ctrl-D, end of the pipe).
    func readLine(prompt: String, width: Int) async -> String?

    /// While an answer streams: calls `onInterrupt` when the user presses Ctrl-C, until
    /// `stop()` is called on the result. Nil where there is no one to press it.
    func watchInterrupts(_ onInterrupt: @escaping @Sendable () -> Void) -> InterruptWatcher?

    /// Leaves the input as it was found (the terminal's mode).
    func close()
}

/// A terminal: the line editor with persistent history, Ctrl-C watched during answers.
public final class TerminalInput: ChatInput, @unchecked Sendable {
    public let terminal: TerminalIO
    private let editor: LineEditor
    private let queue = DispatchQueue(label: "lore.chat.input")

    public init(terminal: TerminalIO, history: LineHistory) {
        self.terminal = terminal
        editor = LineEditor(terminal: terminal, history: history)
        terminal.makeRaw()
    }

    public func readLine(prompt: String, width: Int) async -> String? {
        // The editor blocks on the terminal: it runs off Swift's cooperative threads.
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.editor.readLine(prompt: prompt, width: width)) }
        }
    }

    public func watchInterrupts(_ onInterrupt: @escaping @Sendable () -> Void) -> InterruptWatcher? {
        InterruptWatcher(terminal: terminal, onInterrupt: onInterrupt)
    }

    public func close() { terminal.restore() }
}

/// Standard input that is not a terminal: each line is a question or a command.
public final class PipedInput: ChatInput, @unchecked Sendable {
    private let queue = DispatchQueue(label: "lore.chat.input")

    public init() {}

    public func readLine(prompt: String, width: Int) async -> String? {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Swift.readLine(strippingNewline: true)) }
        }
    }

    public func watchInterrupts(_ onInterrupt: @escaping @Sendable () -> Void) -> InterruptWatcher? { nil }

    public func close() {}
}

/// Reads the terminal on a thread of its own while an answer streams: Ctrl-C (0x03)
/// calls `onInterrupt`; any other key is kept for the next line. `stop()` wakes the
/// thread through a pipe and waits for it to end, so no key is read by two readers.
public final class InterruptWatcher: @unchecked Sendable {
    private let terminal: TerminalIO
    private var wake: [Int32] = [-1, -1]
    private let finished = DispatchSemaphore(value: 0)

    init?(terminal: TerminalIO, onInterrupt: @escaping @Sendable () -> Void) {
        self.terminal = terminal
        guard pipe(&wake) == 0 else { return nil }
        let input = terminal.input, wakeRead = wake[0]
        let thread = Thread { [finished] in
            defer { finished.signal() }
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                fds[0].revents = 0
                fds[1].revents = 0
                let ready = poll(&fds, 2, -1)
                if ready < 0, errno == EINTR { continue }
                if ready < 0 || fds[1].revents != 0 { return }
                guard fds[0].revents != 0 else { continue }
                let n = read(input, &buffer, buffer.count)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return }
                let bytes = buffer[..<n]
                if let i = bytes.firstIndex(of: 0x03) {
                    terminal.keep(bytes[bytes.index(after: i)...])
                    onInterrupt()
                } else {
                    terminal.keep(bytes)
                }
            }
        }
        thread.name = "lore.chat.interrupts"
        thread.start()
    }

    /// Ends the watch; returns once the watching thread has stopped reading.
    public func stop() {
        guard wake[1] >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
        finished.wait()
        close(wake[0])
        close(wake[1])
        wake = [-1, -1]
    }

    deinit { stop() }
}
