import LoreCore
import Testing

/// The strict RFC 8259 parser: values, object key order, escapes, and positioned errors.
@Suite("JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    /// The error thrown for `text`, which must be malformed.
    private func syntaxError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONParser.SyntaxError? {
        do {
            let v = try JSONParser.parse(text)
            Issue.record("expected a syntax error, parsed \(v)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Values

    @Test("literals, strings and numbers parse to their values")
    func scalars() throws {
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("null") == .null)
        #expect(try parse(#""hello""#) == .string("hello"))
        #expect(try parse(" \n\t\r 42 \n") == .number(42))
        #expect(try parse(#""naïve 中文 😀""#) == .string("naïve 中文 😀"))
    }

    @Test(
        "numbers: sign, fraction and exponent",
        arguments: [
            ("0", 0.0), ("-0", 0.0), ("7", 7), ("-12", -12), ("1.5", 1.5), ("-12.5e3", -12500),
            ("1E+2", 100), ("25e-2", 0.25), ("123456789012", 123456789012), ("0.000001", 0.000001)
        ])
    func numbers(_ text: String, _ value: Double) throws {
        #expect(try parse(text) == .number(value))
    }

    @Test(
        "malformed numbers are rejected",
        arguments: ["-", "1.", ".5", "1e", "1e+", "+1", "01", "-01", "--1", "0x10", "NaN", "Infinity", "1.2.3"])
    func badNumbers(_ text: String) {
        #expect(syntaxError(text) != nil)
    }

    @Test("arrays keep their elements in order, nested and empty ones included")
    func arrays() throws {
        #expect(try parse("[]") == .array([]))
        #expect(try parse("[ ]") == .array([]))
        #expect(
            try parse(#"[1, "two", [3, [true]], {}, null]"#)
                == .array([.number(1), .string("two"), .array([.number(3), .array([.bool(true)])]), .object([]), .null]))
    }

    @Test("objects keep their keys in document order")
    func objectKeyOrder() throws {
        let v = try parse(#"{"zeta": 1, "alpha": 2, "mid": {"y": 1, "b": 2}}"#)
        guard case .object(let dict, let keys) = v else { Issue.record("not an object: \(v)"); return }
        #expect(keys == ["zeta", "alpha", "mid"])
        #expect(dict["alpha"] == .number(2))
        guard case .object(_, let inner)? = dict["mid"] else { Issue.record("mid is not an object"); return }
        #expect(inner == ["y", "b"])
        #expect(v.serialized() == #"{"zeta":1,"alpha":2,"mid":{"y":1,"b":2}}"#)
    }

    @Test("a repeated key keeps its first position and its last value")
    func duplicateKeys() throws {
        let v = try parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(v == .object([("a", .number(3)), ("b", .number(2))]))
        #expect(v.serialized() == #"{"a":3,"b":2}"#)
    }

    // MARK: Escapes

    @Test("the two-character escapes decode")
    func simpleEscapes() throws {
        #expect(try parse(#""q\" b\\ s\/ \b\f\n\r\t""#) == .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t"))
    }

    @Test("\\u escapes decode, in either case of hex digit")
    func unicodeEscapes() throws {
        #expect(try parse(#""caf\u00e9 caf\u00E9 \u4e2d \u0041""#) == .string("café café 中 A"))
    }

    @Test("a surrogate pair decodes to one scalar outside the BMP")
    func surrogatePair() throws {
        #expect(try parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try parse(#""a\ud834\udd1eb""#) == .string("a𝄞b"))
    }

    @Test("lone surrogates become U+FFFD without swallowing what follows")
    func loneSurrogates() throws {
        #expect(try parse(#""\uD800""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\uDE00x""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\uD800x""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\uD83D\u0041""#) == .string("\u{FFFD}A"))
        #expect(try parse(#""\uD83D\uD83D\uDE00""#) == .string("\u{FFFD}😀"))
    }

    @Test(
        "bad escapes and raw control characters are rejected",
        arguments: [#""\q""#, #""\u12""#, #""\u12G4""#, "\"a\u{01}b\"", "\"tab\there\"", "\"line\nbreak\""])
    func badStrings(_ text: String) {
        #expect(syntaxError(text) != nil)
    }

    @Test("serializing escapes what JSON requires and round-trips")
    func serializationRoundTrip() throws {
        let original = JSONValue.object([
            ("k\"ey", .string("line\nnext\ttab \u{01} \\ é 😀")), ("n", .array([.number(-1.5), .bool(false), .null]))
        ])
        let text = original.serialized()
        #expect(text == #"{"k\"ey":"line\nnext\ttab \u0001 \\ é 😀","n":[-1.5,false,null]}"#)
        #expect(try parse(text) == original)
    }

    // MARK: Errors

    struct BadInput: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var reason: String
        var testDescription: String { reason }
    }

    @Test(
        "syntax errors name the line and column (in characters) where parsing stopped",
        arguments: [
            BadInput(text: "", line: 1, column: 1, reason: "end of input"),
            BadInput(text: "{\"a\": 1,\n  \"b\" 2\n}", line: 2, column: 7, reason: "expected ':' after key \"b\""),
            BadInput(text: "[1, 2,\n]", line: 2, column: 1, reason: "unexpected character ']'"),
            BadInput(text: "{\"a\": 1,}", line: 1, column: 9, reason: "expected a string key"),
            BadInput(text: "{\"text\": \"abc", line: 1, column: 14, reason: "unterminated string"),
            BadInput(text: "{\"é\": tru}", line: 1, column: 7, reason: "invalid literal"),
            BadInput(text: "[1]\n\n  x", line: 3, column: 3, reason: "after the JSON value"),
            BadInput(text: "{\r\n\"a\" 1}", line: 2, column: 5, reason: "expected ':'"),
            BadInput(text: "[1 2]", line: 1, column: 4, reason: "expected ',' or ']'"),
            BadInput(text: "{\"a\": 1 \"b\": 2}", line: 1, column: 9, reason: "expected ',' or '}'"),
            BadInput(text: "[\n  {\"a\": [1, 2}\n]", line: 2, column: 14, reason: "expected ',' or ']'"),
            BadInput(text: "[\"中文\", @]", line: 1, column: 8, reason: "unexpected character '@'")
        ])
    func positionedErrors(_ bad: BadInput) throws {
        let e = try #require(syntaxError(bad.text))
        #expect(e.line == bad.line)
        #expect(e.column == bad.column)
        #expect(e.reason.contains(bad.reason), "reason: \(e.reason)")
        #expect(e.description.hasPrefix("line \(bad.line), column \(bad.column): "))
    }

    @Test("nesting up to 512 levels parses; one more is refused, naming the limit")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try parse(ok)
        let objects = String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)
        _ = try parse(objects)

        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let e = try #require(syntaxError(deep))
        #expect(e.reason.contains("512"))
        #expect(e.column == 513)

        // Ten thousand levels fail cleanly instead of overflowing the stack.
        let veryDeep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(syntaxError(veryDeep) != nil)
    }

    @Test("parsing from a byte buffer gives the same value as from a string")
    func fromBytes() throws {
        let text = #"{"a": [1, "x"]}"#
        let bytes = Array(text.utf8)
        let v = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
        #expect(v == (try parse(text)))
    }
}
