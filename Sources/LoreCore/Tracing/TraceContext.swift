import Foundation

/// A W3C trace context: the 16-byte trace id, the 8-byte id of the span it names, and
/// whether the caller sampled it. Parsed from and written as a `traceparent` header
/// (`00-<32 hex>-<16 hex>-<2 hex>`).
public struct TraceContext: Sendable, Hashable {
    /// The trace id, high then low 8 bytes (never both zero).
    public var traceHigh: UInt64
    public var traceLow: UInt64
    /// The span id (never zero).
    public var spanID: UInt64
    /// The caller's sampled flag (bit 0 of the trace flags).
    public var sampled: Bool

    public init(traceHigh: UInt64, traceLow: UInt64, spanID: UInt64, sampled: Bool = true) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.spanID = spanID
        self.sampled = sampled
    }

    /// A new trace (random ids).
    public static func random(sampled: Bool = true) -> TraceContext {
        var g = SystemRandomNumberGenerator()
        var high: UInt64 = 0, low: UInt64 = 0
        while high == 0 && low == 0 { (high, low) = (g.next(), g.next()) }
        return TraceContext(traceHigh: high, traceLow: low, spanID: newSpanID(), sampled: sampled)
    }

    /// A new random span id (never zero).
    public static func newSpanID() -> UInt64 {
        var g = SystemRandomNumberGenerator()
        var id: UInt64 = 0
        while id == 0 { id = g.next() }
        return id
    }

    /// The trace id as 32 lowercase hex digits.
    public var traceID: String { Self.hex(traceHigh) + Self.hex(traceLow) }
    /// The span id as 16 lowercase hex digits.
    public var spanIDHex: String { Self.hex(spanID) }
    /// The `traceparent` header naming this span.
    public var traceparent: String { "00-\(traceID)-\(spanIDHex)-\(sampled ? "01" : "00")" }

    /// Parses a `traceparent` header; nil when it is malformed, of version `ff`, or has an
    /// all-zero trace or span id (all invalid by the specification). Versions above 00 are
    /// read as 00 is, as the specification asks.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2
        else { return nil }
        if parts[0] == "00" && parts.count != 4 { return nil }
        let isHex = { (s: Substring) in s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }
        guard parts.prefix(4).allSatisfy(isHex),
            let high = UInt64(parts[1].prefix(16), radix: 16), let low = UInt64(parts[1].suffix(16), radix: 16),
            let span = UInt64(parts[2], radix: 16), let flags = UInt8(parts[3], radix: 16),
            high != 0 || low != 0, span != 0
        else { return nil }
        self.init(traceHigh: high, traceLow: low, spanID: span, sampled: flags & 1 == 1)
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
