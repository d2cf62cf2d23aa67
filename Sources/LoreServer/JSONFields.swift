import LoreCore

/// A JSON object read field by field for a request body: unknown fields, wrong types and
/// out-of-range values are `APIError.invalidRequest`s whose message names the field by
/// its full path (`filters.format`, `history[2].role`). A `null` value counts as absent.
struct JSONFields {
    let values: [String: JSONValue]
    /// The path of this object inside the body, with a trailing dot (empty at the top).
    let prefix: String

    /// Reads `value` as an object that may only hold `allowed` fields.
    init(_ value: JSONValue, path: String = "", allowed: Set<String>) throws(APIError) {
        let name = path.isEmpty ? "the body" : path
        guard case .object(let dict, let keys) = value else {
            throw APIError.invalidRequest("\(name): expected a JSON object")
        }
        if let unknown = keys.first(where: { !allowed.contains($0) }) {
            throw APIError.invalidRequest(
                "\(path.isEmpty ? "" : path + ".")\(unknown): unknown field; known fields are \(allowed.sorted().joined(separator: ", "))")
        }
        values = dict
        prefix = path.isEmpty ? "" : path + "."
    }

    /// Parses a request body as a JSON object with `allowed` fields.
    static func parse(_ bytes: [UInt8], allowed: Set<String>) throws(APIError) -> JSONFields {
        guard !bytes.isEmpty else { throw APIError.invalidRequest("the body is empty: expected a JSON object") }
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
        } catch let e as JSONParser.SyntaxError {
            throw APIError.invalidRequest("the body is not valid JSON: \(e.description)")
        } catch {
            throw APIError.invalidRequest("the body is not valid JSON")
        }
        return try JSONFields(value, allowed: allowed)
    }

    func name(_ key: String) -> String { prefix + key }

    private func value(_ key: String) -> JSONValue? {
        guard let v = values[key], v != .null else { return nil }
        return v
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw APIError.invalidRequest("\(name(key)): expected a string") }
        return s
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw APIError.invalidRequest("\(name(key)): expected true or false") }
        return b
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .number(let n) = v, n.isFinite, n == n.rounded(), abs(n) < 1e15 else {
            throw APIError.invalidRequest("\(name(key)): expected an integer")
        }
        guard range.contains(Int(n)) else {
            throw APIError.invalidRequest("\(name(key)): must be between \(range.lowerBound) and \(range.upperBound), got \(Int(n))")
        }
        return Int(n)
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let v = value(key) else { return nil }
        guard case .number(let n) = v, n.isFinite else { throw APIError.invalidRequest("\(name(key)): expected a number") }
        guard range.contains(n) else {
            throw APIError.invalidRequest("\(name(key)): must be between \(range.lowerBound) and \(range.upperBound), got \(n)")
        }
        return n
    }

    /// A string, or an array of strings (a filter that takes one value or several).
    func strings(_ key: String) throws(APIError) -> [String]? {
        guard let v = value(key) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else {
                    throw APIError.invalidRequest("\(name(key)): expected a string or an array of strings")
                }
                out.append(s)
            }
            return out
        default: throw APIError.invalidRequest("\(name(key)): expected a string or an array of strings")
        }
    }

    func object(_ key: String, allowed: Set<String>) throws(APIError) -> JSONFields? {
        guard let v = value(key) else { return nil }
        return try JSONFields(v, path: name(key), allowed: allowed)
    }

    /// An object of any keys whose values are strings, numbers or booleans, as text.
    func textMap(_ key: String) throws(APIError) -> [(key: String, value: String)]? {
        guard let v = value(key) else { return nil }
        guard case .object(let dict, let keys) = v else { throw APIError.invalidRequest("\(name(key)): expected an object of KEY: VALUE") }
        var out: [(key: String, value: String)] = []
        for k in keys {
            switch dict[k]! {
            case .string, .number, .bool: out.append((k, dict[k]!.textValue))
            default: throw APIError.invalidRequest("\(name(key)).\(k): expected a string, number or boolean")
            }
        }
        return out
    }

    func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw APIError.invalidRequest("\(name(key)): expected an array") }
        return items
    }
}
