import Foundation

/// Finished spans as an OTLP `ExportTraceServiceRequest` in protobuf's binary encoding, the
/// body of an OTLP/HTTP `POST /v1/traces` with `Content-Type: application/x-protobuf`.
///
/// Written by hand from `opentelemetry/proto/trace/v1/trace.proto` and
/// `common/v1/common.proto` (field numbers in the comments) rather than generated with
/// swift-protobuf: the messages are few and write-only, and the generator and runtime
/// would add minutes to every cold build (see docs/ARCHITECTURE.md).
public enum OTLPEncoding {
    /// The request for `spans`, all under one resource and one instrumentation scope.
    public static func exportRequest(_ spans: [FinishedSpan], resource: [(String, SpanValue)], scope: String, version: String = "")
        -> [UInt8]
    {
        var scopeSpans = ProtoWriter()
        scopeSpans.message(1) { s in  // InstrumentationScope scope = 1
            s.string(1, scope)
            if !version.isEmpty { s.string(2, version) }
        }
        for span in spans { scopeSpans.message(2) { encode(span, into: &$0) } }  // repeated Span spans = 2

        var resourceSpans = ProtoWriter()
        resourceSpans.message(1) { r in for (k, v) in resource { r.message(1) { keyValue(k, v, into: &$0) } } }  // Resource resource = 1
        resourceSpans.bytes(2, scopeSpans.bytes)  // repeated ScopeSpans scope_spans = 2

        var request = ProtoWriter()
        request.bytes(1, resourceSpans.bytes)  // repeated ResourceSpans resource_spans = 1
        return request.bytes
    }

    static func encode(_ span: FinishedSpan, into w: inout ProtoWriter) {
        w.bytes(1, bigEndian(span.context.traceHigh) + bigEndian(span.context.traceLow))  // bytes trace_id = 1
        w.bytes(2, bigEndian(span.context.spanID))  // bytes span_id = 2
        if span.parentSpanID != 0 { w.bytes(4, bigEndian(span.parentSpanID)) }  // bytes parent_span_id = 4
        w.string(5, span.name)  // string name = 5
        w.varint(6, UInt64(span.kind.rawValue))  // SpanKind kind = 6
        w.fixed64(7, span.startUnixNano)  // fixed64 start_time_unix_nano = 7
        w.fixed64(8, span.endUnixNano)  // fixed64 end_time_unix_nano = 8
        for (k, v) in span.attributes { w.message(9) { keyValue(k, v, into: &$0) } }  // repeated KeyValue attributes = 9
        for e in span.events {  // repeated Event events = 11
            w.message(11) { ev in
                ev.fixed64(1, e.timeUnixNano)  // fixed64 time_unix_nano = 1
                ev.string(2, e.name)  // string name = 2
                for (k, v) in e.attributes { ev.message(3) { keyValue(k, v, into: &$0) } }  // repeated KeyValue attributes = 3
            }
        }
        switch span.status {  // Status status = 15 {string message = 2; StatusCode code = 3}
        case .unset: break
        case .ok: w.message(15) { $0.varint(3, 1) }
        case .error(let message):
            w.message(15) { s in
                s.string(2, message)
                s.varint(3, 2)
            }
        }
        w.fixed32(16, span.context.sampled ? 0x101 : 0x100)  // fixed32 flags = 16: trace flags, and "parent is known"
    }

    static func keyValue(_ key: String, _ value: SpanValue, into w: inout ProtoWriter) {
        w.string(1, key)  // string key = 1
        w.message(2) { anyValue(value, into: &$0) }  // AnyValue value = 2
    }

    static func anyValue(_ value: SpanValue, into w: inout ProtoWriter) {
        switch value {
        case .string(let s): w.string(1, s)  // string_value = 1
        case .bool(let b): w.varint(2, b ? 1 : 0)  // bool_value = 2
        case .int(let i): w.varint(3, UInt64(bitPattern: i))  // int64 int_value = 3
        case .double(let d): w.fixed64(4, d.bitPattern)  // double double_value = 4
        case .strings(let list):  // ArrayValue array_value = 5 {repeated AnyValue values = 1}
            w.message(5) { a in for s in list { a.message(1) { $0.string(1, s) } } }
        }
    }

    static func bigEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }
}

/// Protobuf's binary wire format, the parts OTLP needs: varints, fixed 32 and 64-bit
/// fields, and length-delimited bytes, strings and messages.
public struct ProtoWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    mutating func tag(_ field: Int, _ wireType: UInt64) { rawVarint(UInt64(field) << 3 | wireType) }

    mutating func rawVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A varint field (wire type 0): integers, enums, bools.
    public mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, 0)
        rawVarint(value)
    }

    /// A fixed64 or double field (wire type 1), little-endian.
    public mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, 1)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    /// A fixed32 field (wire type 5), little-endian.
    public mutating func fixed32(_ field: Int, _ value: UInt32) {
        tag(field, 5)
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    /// A length-delimited field (wire type 2).
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        rawVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// An embedded message, written by `body`.
    public mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }
}
