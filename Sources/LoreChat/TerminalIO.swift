import Foundation
import Synchronization

/// The controlling terminal: its modes, its size, and its input bytes (with the keys
/// typed while an answer streamed kept for the line editor).
///
/// Lore never lets the terminal turn Ctrl-C into SIGINT: in both of its modes `ISIG` is
/// off and Ctrl-C arrives as the byte 0x03, which the line editor reads as "clear the
/// line" and the `InterruptWatcher` as "stop the answer". No signal handler runs, so
/// nothing races with Swift concurrency.
public final class TerminalIO: @unchecked Sendable {
    public let input: Int32
    public let output: ChatOutput
    private var original = termios()
    private var hasOriginal = false
    /// Bytes read while an answer streamed, for the next line.
    private let typeahead = Mutex<[UInt8]>([])

    public init(input: Int32 = STDIN_FILENO, output: ChatOutput = .standardOutput) {
        self.input = input
        self.output = output
        hasOriginal = tcgetattr(input, &original) == 0
    }

    /// Whether both standard input and standard output are terminals.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Byte-at-a-time input, no echo, no signals (the line editor draws everything; while
    /// an answer streams the `InterruptWatcher` reads the keys). Output processing stays on.
    public func makeRaw() {
        guard hasOriginal else { return }
        var t = original
        t.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        t.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR)
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        _ = tcsetattr(input, TCSADRAIN, &t)
    }

    /// The terminal as it was before the chat.
    public func restore() {
        guard hasOriginal else { return }
        _ = tcsetattr(input, TCSADRAIN, &original)
    }

    /// The terminal's width in columns (80 when it cannot say).
    public var columns: Int {
        var size = winsize()
        guard ioctl(output.fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Keeps bytes typed during an answer for the line editor.
    func keep(_ bytes: some Sequence<UInt8>) { typeahead.withLock { $0.append(contentsOf: bytes) } }

    /// The next input byte, waiting at most `timeoutMs` (nil: forever); nil at end of
    /// input or when the time is up.
    func readByte(timeoutMs: Int32? = nil) -> UInt8? {
        if let b = typeahead.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return b }
        if let timeoutMs {
            var p = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, timeoutMs) > 0 else { return nil }
        }
        var byte: UInt8 = 0
        while true {
            let n = read(input, &byte, 1)
            if n == 1 { return byte }
            if n < 0, errno == EINTR { continue }
            return nil
        }
    }
}
