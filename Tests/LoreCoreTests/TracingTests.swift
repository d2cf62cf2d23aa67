import Foundation
import LoreCore
import Testing

/// The tracing core: W3C trace contexts, the task-local span tree, the tracer's sampling
/// and bounded queue, and the OTLP protobuf encoding read back field by field.
@Suite("tracing")
struct TracingTests {
    @Test("a traceparent is parsed as the W3C specification says, and written back the same")
    func traceparent() throws {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let c = try #require(TraceContext(traceparent: header))
        #expect(c.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(c.spanIDHex == "00f067aa0ba902b7")
        #expect(c.sampled)
        #expect(c.traceparent == header)
        #expect(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.sampled == false)
        // A later version may add fields; version 00 may not.
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra") != nil)
        for bad in [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 with a fifth field
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is invalid
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // 31 digits
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "", "garbage"
        ] {
            #expect(TraceContext(traceparent: bad) == nil, "\(bad)")
        }
        let fresh = TraceContext.random()
        #expect(TraceContext(traceparent: fresh.traceparent) == fresh)
    }

    @Test("sampling follows the caller's flag when there is one, else the ratio; the child keeps the caller's trace id")
    func sampling() throws {
        let never = Tracer(serviceName: "t", sampleRatio: 0)
        #expect(never.startSpan("root") == nil)
        let caller = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        let span = try #require(never.startSpan("server", kind: .server, parent: caller))
        #expect(span.context.traceID == caller.traceID && span.parentSpanID == caller.spanID && span.context.spanID != caller.spanID)
        var unsampled = caller
        unsampled.sampled = false
        #expect(Tracer(serviceName: "t").startSpan("server", parent: unsampled) == nil)
        let root = try #require(Tracer(serviceName: "t").startSpan("root"))
        #expect(root.parentSpanID == 0 && root.context.traceID.count == 32)
    }

    @Test("spans nest through the task-local current span; a failing body fails its span; without a current span nothing is recorded")
    func nesting() async throws {
        let tracer = Tracer(serviceName: "t")
        let root = try #require(tracer.startSpan("root"))
        struct Boom: Error {}
        await Tracing.run(root) { _ in
            await Tracing.withSpan("a") { a in
                a?.set("n", 1)
                await Tracing.withSpan("b") { _ in }
            }
            let c = Tracing.begin("c")
            // A child task inherits the current span.
            await Task { await Tracing.withSpan("d") { _ in } }.value
            c?.end()
            _ = try? await Tracing.withSpan("e") { _ in throw Boom() }
        }
        let spans = Dictionary(uniqueKeysWithValues: tracer.drain().spans.map { ($0.name, $0) })
        #expect(spans.keys.sorted() == ["a", "b", "c", "d", "e", "root"])
        let id = { (name: String) in spans[name]!.context.spanID }
        #expect(spans["a"]!.parentSpanID == id("root") && spans["b"]!.parentSpanID == id("a"))
        #expect(spans["c"]!.parentSpanID == id("root") && spans["d"]!.parentSpanID == id("root"))
        #expect(Set(spans.values.map(\.context.traceID)).count == 1)
        #expect(spans["a"]!.attribute("n") == .int(1))
        guard case .error = spans["e"]!.status else { Issue.record("e: \(spans["e"]!.status)"); return }
        #expect(spans["e"]!.events.map(\.name) == ["exception"])
        #expect(spans.values.allSatisfy { $0.endUnixNano >= $0.startUnixNano })
        // No current span: the body runs, nothing is queued.
        let ran = await Tracing.withSpan("orphan") { span in span == nil }
        #expect(ran && tracer.queued == 0)
    }

    @Test("the queue is bounded: past its capacity spans are dropped and counted, and ending twice queues once")
    func boundedQueue() throws {
        let tracer = Tracer(serviceName: "t", capacity: 2)
        for i in 0..<3 {
            let s = try #require(tracer.startSpan("s\(i)"))
            s.end()
            s.end()
        }
        let (spans, dropped) = tracer.drain()
        #expect(spans.map(\.name) == ["s0", "s1"] && dropped == 1)
        #expect(tracer.drain().dropped == 0)
    }

    @Test("the exporter's wait returns once a span is queued, and when its task is cancelled")
    func waiting() async throws {
        let tracer = Tracer(serviceName: "t")
        let waiter = Task { await tracer.waitForSpans() }
        tracer.startSpan("s")?.end()
        await waiter.value
        let idle = Tracer(serviceName: "idle")
        let cancelled = Task { await idle.waitForSpans() }
        cancelled.cancel()
        await cancelled.value
        #expect(idle.queued == 0)
    }

    @Test("protobuf's wire format: varints, fixed-width fields and length-delimited fields")
    func wireFormat() {
        var w = ProtoWriter()
        w.varint(1, 300)
        #expect(w.bytes == [0x08, 0xAC, 0x02])
        w = ProtoWriter()
        w.string(2, "hi")
        #expect(w.bytes == [0x12, 0x02, 0x68, 0x69])
        w = ProtoWriter()
        w.fixed64(7, 1)
        #expect(w.bytes == [0x39, 1, 0, 0, 0, 0, 0, 0, 0])
        w = ProtoWriter()
        w.fixed32(16, 0x101)
        #expect(w.bytes == [0x85, 0x01, 0x01, 0x01, 0, 0])
        w = ProtoWriter()
        w.varint(3, UInt64(bitPattern: -1))
        #expect(w.bytes == [0x18] + Array(repeating: 0xFF, count: 9) + [0x01])
    }

    @Test("an export request reads back as OTLP: resource, scope, and each span's ids, times, attributes, events and status")
    func exportRequest() throws {
        let tracer = Tracer(serviceName: "lore-test", resource: [("service.version", .string("9"))])
        let parent = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        let span = try #require(tracer.startSpan("chat m", kind: .server, parent: parent))
        span.set("gen_ai.usage.output_tokens", 12)
        span.set("f", 0.5)
        span.set("ok", true)
        span.set("reasons", .strings(["stop"]))
        span.addEvent("first")
        span.fail("bad")
        span.end()
        let finished = tracer.drain().spans
        let bytes = OTLPEncoding.exportRequest(finished, resource: tracer.resource, scope: "lore", version: "1")

        let request = try Proto(bytes)
        let resourceSpans = try Proto(try #require(request.messages(1).first))
        let resource = try Proto(try #require(resourceSpans.messages(1).first))
        let resourceAttributes = try resource.messages(1).map(Self.keyValue)
        #expect(resourceAttributes.contains { $0.0 == "service.name" && $0.1 == "lore-test" })
        #expect(resourceAttributes.contains { $0.0 == "service.version" && $0.1 == "9" })
        let scopeSpans = try Proto(try #require(resourceSpans.messages(2).first))
        let scope = try Proto(try #require(scopeSpans.messages(1).first))
        #expect(scope.strings(1) == ["lore"] && scope.strings(2) == ["1"])
        let spans = try scopeSpans.messages(2).map(Proto.init)
        #expect(spans.count == 1)
        let s = spans[0]
        #expect(s.messages(1).first.map(Self.hex) == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(s.messages(2).first.map(Self.hex) == span.context.spanIDHex)
        #expect(s.messages(4).first.map(Self.hex) == "00f067aa0ba902b7")
        #expect(s.strings(5) == ["chat m"])
        #expect(s.varints[6] == [2])  // SPAN_KIND_SERVER
        #expect(s.fixed64s[7] == [finished[0].startUnixNano] && s.fixed64s[8] == [finished[0].endUnixNano])
        let attributes = try s.messages(9).map(Self.keyValue)
        #expect(attributes.map(\.0) == ["gen_ai.usage.output_tokens", "f", "ok", "reasons"])
        #expect(attributes[0].1 == "int:12" && attributes[1].1 == "double:0.5" && attributes[2].1 == "bool:1" && attributes[3].1 == "array")
        let events = try s.messages(11).map(Proto.init)
        #expect(events.map { $0.strings(2) } == [["first"], ["exception"]])
        let status = try Proto(try #require(s.messages(15).first))
        #expect(status.strings(2) == ["bad"] && status.varints[3] == [2])  // STATUS_CODE_ERROR
    }

    /// A KeyValue's key and its value as text (`int:`, `double:`, `bool:` prefixes; `array`).
    static func keyValue(_ bytes: [UInt8]) throws -> (String, String) {
        let kv = try Proto(bytes)
        let value = try Proto(kv.messages(2).first ?? [])
        let text: String
        if let s = value.strings(1).first {
            text = s
        } else if let b = value.varints[2]?.first {
            text = "bool:\(b)"
        } else if let i = value.varints[3]?.first {
            text = "int:\(Int64(bitPattern: i))"
        } else if let d = value.fixed64s[4]?.first {
            text = "double:\(Double(bitPattern: d))"
        } else if !value.messages(5).isEmpty {
            text = "array"
        } else {
            text = "?"
        }
        return (kv.strings(1).first ?? "", text)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// A protobuf message read into its fields (test-only reader of the wire format).
struct Proto {
    var varints: [Int: [UInt64]] = [:]
    var fixed64s: [Int: [UInt64]] = [:]
    var fixed32s: [Int: [UInt32]] = [:]
    var delimited: [Int: [[UInt8]]] = [:]

    struct Malformed: Error {}

    init(_ bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw Malformed() }
                let b = bytes[i]
                i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        func fixed(_ n: Int) throws -> UInt64 {
            guard i + n <= bytes.count else { throw Malformed() }
            defer { i += n }
            return (0..<n).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) }
        }
        while i < bytes.count {
            let tag = try varint()
            let field = Int(tag >> 3)
            switch tag & 7 {
            case 0: varints[field, default: []].append(try varint())
            case 1: fixed64s[field, default: []].append(try fixed(8))
            case 5: fixed32s[field, default: []].append(UInt32(try fixed(4)))
            case 2:
                let n = Int(try varint())
                guard i + n <= bytes.count else { throw Malformed() }
                delimited[field, default: []].append(Array(bytes[i..<(i + n)]))
                i += n
            default: throw Malformed()
            }
        }
    }

    func messages(_ field: Int) -> [[UInt8]] { delimited[field] ?? [] }
    func strings(_ field: Int) -> [String] { messages(field).map { String(decoding: $0, as: UTF8.self) } }
}
