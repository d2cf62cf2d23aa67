import Foundation
import LoreQuery
import Synchronization

/// The output rails applied to an answer as it streams, so that personal data and invented
/// citations never leave the process, even in a streamed answer: the filter keeps back the
/// unfinished end of the text (the last `holdback` bytes, back to a space, and never in the
/// middle of something the PII detector matches or of a `[n]` group) and releases the rest
/// redacted and with invalid citation numbers removed. A streamed answer is delayed by a
/// few words; the text that goes out is exactly what the whole answer would give.
public final class GuardedOutputFilter: OutputStreamFilter, @unchecked Sendable {
    let pii: PIIDetector?
    let valid: Set<Int>?
    let holdback: Int
    /// Guards `buffer`, `piiFound` and `removed`.
    private let lock = Mutex(())
    private var buffer = ""
    private var piiFound: [PIIKind: Int] = [:]
    private var removed: [Int] = []

    /// - Parameters:
    ///   - pii: redact what it finds (nil: leave personal data alone).
    ///   - validCitations: remove citation numbers not in the set (nil: leave them).
    public init(pii: PIIDetector?, validCitations: Set<Int>?, holdback: Int = 64) {
        self.pii = pii
        self.valid = validCitations
        self.holdback = holdback
    }

    public func push(_ delta: String) -> String { lock.withLock { unlockedPush(delta) } }

    private func unlockedPush(_ delta: String) -> String {
        buffer += delta
        guard let cut = safeCut() else { return "" }
        let ready = String(buffer[..<cut])
        buffer = String(buffer[cut...])
        return process(ready)
    }

    public func finish() -> (text: String, findings: [GuardFinding]) { lock.withLock { unlockedFinish() } }

    private func unlockedFinish() -> (text: String, findings: [GuardFinding]) {
        let rest = process(buffer)
        buffer = ""
        var findings: [GuardFinding] = []
        for (kind, n) in piiFound.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            findings.append(
                GuardFinding(
                    stage: "output", rule: "output.pii.\(kind.rawValue)", action: .redact,
                    detail: "\(n) \(kind.rawValue) redacted as \(kind.placeholder)"))
        }
        if !removed.isEmpty {
            findings.append(
                GuardFinding(
                    stage: "output", rule: "output.invalid_citation", action: .remove,
                    detail:
                        "removed citation\(removed.count == 1 ? "" : "s") \(removed.map { "[\($0)]" }.joined(separator: ", ")): no such source was given"
                ))
        }
        return (rest, findings)
    }

    private func process(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        var out = text
        if let pii {
            let (redacted, matches) = pii.redact(out)
            for m in matches { piiFound[m.kind, default: 0] += 1 }
            out = redacted
        }
        if let valid {
            let (cleaned, gone) = CitationChecker.removeInvalid(out, valid: valid)
            removed += gone
            out = cleaned
        }
        return out
    }

    /// Where the releasable prefix of the buffer ends, if anywhere.
    private func safeCut() -> String.Index? {
        let bytes = Array(buffer.utf8)
        guard bytes.count > holdback else { return nil }
        var cut = bytes.count - holdback
        // Back to a space, so no word is split.
        while cut > 0, !Self.isSpace(bytes[cut - 1]) { cut -= 1 }
        // ...and before the space: the next piece starts with it, so removing a citation
        // at its start can take the space before it too.
        while cut > 0, Self.isSpace(bytes[cut - 1]) { cut -= 1 }
        // Not inside anything the detector matches (a phone number has spaces; an
        // unfinished private-key block runs to the end of the buffer).
        if let pii {
            for m in pii.find(in: buffer) where m.utf8Range.lowerBound < cut && m.utf8Range.upperBound >= cut {
                cut = m.utf8Range.lowerBound
            }
        }
        // Not inside a citation group such as "[1, 2]".
        var j = cut - 1
        while j >= 0, j >= cut - 24 {
            if bytes[j] == UInt8(ascii: "]") { break }
            if bytes[j] == UInt8(ascii: "[") { cut = j; break }
            j -= 1
        }
        while cut > 0, cut < bytes.count, (bytes[cut] & 0xC0) == 0x80 { cut -= 1 }
        guard cut > 0 else { return nil }
        return buffer.utf8.index(buffer.utf8.startIndex, offsetBy: cut)
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
}
