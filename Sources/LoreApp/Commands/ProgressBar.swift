import Foundation

/// A one-line progress bar on standard error: files, chunks, rate and ETA. Drawn only when
/// enabled (the executable enables it on a terminal).
public final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    /// The number of files (or items) the run will do.
    public private(set) var total = 0
    private var done = 0
    private var chunks = 0
    private var start = Date()
    private var lastDraw = Date.distantPast

    /// A bar that draws only when `enabled`.
    public init(enabled: Bool) { self.enabled = enabled }

    /// Starts counting towards `total` and draws the empty bar.
    public func start(total: Int) {
        self.total = total
        start = Date()
        draw(force: true)
    }

    /// One more file done, with its chunks.
    public func advance(chunks: Int) {
        done += 1
        self.chunks += chunks
        draw(force: done == total)
    }

    /// Sets the count done.
    public func set(done: Int) {
        self.done = done
        draw(force: done == total)
    }

    /// Clears the bar's line.
    public func finish() {
        guard enabled, total > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    private func draw(force: Bool) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = String(format: "\r\u{1B}[2K%@ %d/%d files  %d chunks  %.0f files/s  ETA %.0fs", bar, done, total, chunks, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
