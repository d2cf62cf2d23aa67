import Foundation

/// A WordPiece vocabulary (`vocab.txt`: one token per line, the line number is the id),
/// with allocation-free lookups of byte spans.
///
/// Tokens are kept in two open-addressing tables: word-initial tokens, and continuation
/// tokens (`##xyz`, stored without the `##`), so that WordPiece's greedy longest match
/// probes a span of the word's bytes directly.
public struct Vocabulary: Sendable {
    public let tokens: [String]
    private let keyBytes: [UInt8]
    private let initial: HashTable
    private let continuation: HashTable

    public var count: Int { tokens.count }

    /// Errors reading a vocabulary file.
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads `vocab.txt`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read the vocabulary \(path): run scripts/fetch-models")
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw LoadError(description: "the vocabulary \(path) is empty") }
        self.init(tokens: lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 })
    }

    /// Builds a vocabulary from tokens in id order.
    public init(tokens: [String]) {
        self.tokens = tokens
        var bytes: [UInt8] = []
        var initialEntries: [(offset: Int, length: Int, id: Int32)] = []
        var continuationEntries: [(offset: Int, length: Int, id: Int32)] = []
        for (id, token) in tokens.enumerated() {
            var utf8 = Array(token.utf8)
            let isContinuation = utf8.count > 2 && utf8[0] == UInt8(ascii: "#") && utf8[1] == UInt8(ascii: "#")
            if isContinuation { utf8.removeFirst(2) }
            let entry = (offset: bytes.count, length: utf8.count, id: Int32(id))
            bytes.append(contentsOf: utf8)
            if isContinuation { continuationEntries.append(entry) } else { initialEntries.append(entry) }
        }
        self.keyBytes = bytes
        self.initial = HashTable(entries: initialEntries, keys: bytes)
        self.continuation = HashTable(entries: continuationEntries, keys: bytes)
    }

    /// The id of `token` (written with `##` for continuations), if present.
    public func id(of token: String) -> Int32? {
        var utf8 = Array(token.utf8)
        let isContinuation = utf8.count > 2 && utf8.starts(with: [35, 35])
        if isContinuation { utf8.removeFirst(2) }
        return utf8.withUnsafeBufferPointer { lookup($0, continuation: isContinuation) }
    }

    /// The id of the token spelled by `span`; `continuation` selects the `##` tokens.
    @inline(__always)
    public func lookup(_ span: UnsafeBufferPointer<UInt8>, continuation isContinuation: Bool) -> Int32? {
        keyBytes.withUnsafeBufferPointer { keys in
            (isContinuation ? continuation : initial).find(span, keys: keys)
        }
    }
}

/// Open addressing with linear probing; slots hold entry indexes.
private struct HashTable: Sendable {
    private let slots: [Int32]
    private let offsets: [Int32]
    private let lengths: [Int32]
    private let ids: [Int32]
    private let mask: Int

    init(entries: [(offset: Int, length: Int, id: Int32)], keys: [UInt8]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        keys.withUnsafeBufferPointer { k in
            for (n, e) in entries.enumerated() {
                var s = Int(truncatingIfNeeded: HashTable.hash(UnsafeBufferPointer(rebasing: k[e.offset..<(e.offset + e.length)]))) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(n)
            }
        }
        self.slots = slots
        self.offsets = entries.map { Int32($0.offset) }
        self.lengths = entries.map { Int32($0.length) }
        self.ids = entries.map(\.id)
        self.mask = mask
    }

    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in p { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h ^ (h >> 29)
    }

    @inline(__always)
    func find(_ span: UnsafeBufferPointer<UInt8>, keys: UnsafeBufferPointer<UInt8>) -> Int32? {
        var s = Int(truncatingIfNeeded: HashTable.hash(span)) & mask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let n = Int(slots[s])
                if n < 0 { return nil }
                let len = Int(lengths[n])
                if len == span.count {
                    let off = Int(offsets[n])
                    if len == 0 || memcmp(keys.baseAddress! + off, span.baseAddress!, len) == 0 { return ids[n] }
                }
                s = (s + 1) & mask
            }
        }
    }
}
