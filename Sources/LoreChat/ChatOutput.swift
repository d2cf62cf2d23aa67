import Foundation
import Synchronization

/// Where the chat writes: a file descriptor (standard output or error), unbuffered, so
/// that each piece of a streamed answer shows as soon as it is written.
public final class ChatOutput: @unchecked Sendable {
    public let fd: Int32
    /// Keeps one write's bytes together.
    private let lock = Mutex(())

    public init(fd: Int32) { self.fd = fd }

    public static let standardOutput = ChatOutput(fd: STDOUT_FILENO)
    public static let standardError = ChatOutput(fd: STDERR_FILENO)

    public func write(_ text: String) {
        guard !text.isEmpty else { return }
        lock.withLock {
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    return  // the reader has gone (EPIPE): nothing more can be shown
                }
                bytes = bytes.dropFirst(n)
            }
        }
    }
}
