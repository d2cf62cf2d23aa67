import Foundation
import LoreApp
import LoreIngest

/// Renders an ingest report for people (a table) and for programs (JSON).
enum ReportFormatter {
    static func json(_ report: IngestReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static func table(_ r: IngestReport) -> String {
        var lines: [String] = []
        let rows: [(String, Int)] = [
            ("ingested", r.ingested), ("updated", r.updated), ("unchanged", r.unchanged),
            ("removed", r.removed), ("skipped", r.skipped)
        ]
        lines.append("files       count")
        for (name, n) in rows { lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(n)) }
        lines.append("stored \(r.documents) documents, \(r.chunks) chunks in \(String(format: "%.2f", r.durationSeconds)) s")
        if r.embedded + r.embeddingsCached > 0 { lines.append("embedded \(r.embedded) chunk texts (\(r.embeddingsCached) from the cache)") }
        for e in r.errors { lines.append("error: \(e.path): \(e.reason)") }
        for s in r.skips { lines.append("skipped: \(s.path): \(s.reason)") }
        for f in r.findings { lines.append("\(f.severity == .warning ? "warning" : "rejected"): \(f.path): \(f.check): \(f.message)") }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress bar on standard error: files, chunks, rate and ETA. Only on a terminal.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private(set) var total = 0
    private var done = 0
    private var chunks = 0
    private var start = Date()
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func start(total: Int) {
        self.total = total
        start = Date()
        draw(force: true)
    }

    func advance(chunks: Int) {
        done += 1
        self.chunks += chunks
        draw(force: done == total)
    }

    func set(done: Int) {
        self.done = done
        draw(force: done == total)
    }

    func finish() {
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
