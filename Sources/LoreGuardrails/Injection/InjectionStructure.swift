import Foundation
import LoreCore

/// The data behind the structural checks (`Resources/injection-structure.json`): chat-template
/// tokens, role names, the weights per place, URL placeholders, English function words (to
/// tell decoded ROT13 from noise) and the Morse table. No phrase rules live here or in code.
struct InjectionStructureRules: Sendable {
    struct Weight: Sendable {
        var question: Double
        var document: Double
        func value(_ source: InjectionSource) -> Double { source == .question ? question : document }
    }

    var templateTokens: [[UInt8]]
    var roles: [String: Int]
    var userSideRoles: Set<String>
    var weights: [String: Weight]
    var placeholders: [String]
    var functionWords: Set<String>
    /// The function words' hashes (`InjectionStructure.wordHash`), for the ROT13 check.
    var functionWordHashes: Set<UInt64>
    var morse: [String: String]
    /// The first 12 hex digits of the file's SHA-256.
    var version: String

    static let bundled: InjectionStructureRules = {
        do { return try InjectionStructureRules(data: Data(PackageResources.injection_structure_json)) } catch {
            fatalError("Resources/injection-structure.json does not load: \(error)")
        }
    }()

    init(data: Data) throws {
        guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            o["format"] as? String == "lore-injection-structure/1"
        else {
            throw GuardrailError("injection-structure.json: not a lore-injection-structure/1 object")
        }
        templateTokens = (o["chat_template_tokens"] as? [String] ?? []).map { Array($0.lowercased().utf8) }
        roles = o["role_names"] as? [String: Int] ?? [:]
        userSideRoles = Set(o["user_side_roles"] as? [String] ?? [])
        weights = (o["weights"] as? [String: [String: Double]] ?? [:]).mapValues {
            Weight(question: $0["question"] ?? 0, document: $0["document"] ?? 0)
        }
        placeholders = o["url_placeholders"] as? [String] ?? []
        functionWords = Set(o["function_words"] as? [String] ?? [])
        functionWordHashes = Set(
            functionWords.filter { $0.count >= 2 && $0.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A } }.map { w in
                Array(w.utf8).withUnsafeBufferPointer { InjectionStructure.wordHash($0, 0, $0.count, rotate: false) }
            })
        var table: [String: String] = [:]
        for (letter, code) in o["morse"] as? [String: String] ?? [:] { table[code] = letter }
        morse = table
        var h = SHA256()
        h.update(data)
        version = String(h.finalizeHex().prefix(12))
    }

    func weight(_ name: String, _ source: InjectionSource) -> Double { weights[name]?.value(source) ?? 0 }
}

/// What the structural checks found in one text: signals of their own, and text that was
/// hidden or encoded, which the detector classifies again.
struct StructuralScan: Sendable {
    var signals: [InjectionSignal] = []
    /// Text in HTML comments, in Unicode tag characters or laced with zero-width characters.
    var hidden: [String] = []
    /// Payloads decoded from base64, hex, ROT13, Morse, URL encoding or HTML entities.
    var decoded: [String] = []
    var roleMarker = false
    var hiddenText = false
    var dataURL = false
    var encodedRun = false
}

/// The structural checks of the injection detector, on the raw text:
/// - chat-template tokens and fake role or turn markers (`<|im_start|>`, `[INST]`,
///   `### System:`, `</system>`, a line `Assistant:` in a document);
/// - hidden text: HTML comments, Unicode tag characters, zero-width characters inside words;
/// - links and markdown images whose URL carries a placeholder for data (`?q={chat}`);
/// - long encoded runs, decoded so that the classifier can read them.
enum InjectionStructure {
    static let maxSegments = 4
    static let maxSegmentBytes = 2_000

    static func scan(_ text: String, source: InjectionSource, rules: InjectionStructureRules = .bundled) -> StructuralScan {
        var out = StructuralScan()
        let bytes = Array(text.utf8)
        let lower = bytes.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
        templateTokens(lower, source, rules, &out)
        roleMarkers(lower, source, rules, &out)
        hiddenText(text, bytes, source, rules, &out)
        dataURLs(lower, source, rules, &out)
        encoded(text, bytes, rules, &out)
        out.hidden = Array(out.hidden.prefix(maxSegments))
        out.decoded = Array(out.decoded.prefix(maxSegments))
        return out
    }

    /// At most `maxSegmentBytes` of `s` (all of it when the cut would split a character).
    static func clipped(_ s: String) -> String { String(s.utf8.prefix(maxSegmentBytes)) ?? s }

    // MARK: Markers

    private static func templateTokens(
        _ b: [UInt8], _ source: InjectionSource, _ rules: InjectionStructureRules, _ out: inout StructuralScan
    ) {
        for i in b.indices where b[i] == 0x3C || b[i] == 0x5B {  // < [
            for t in rules.templateTokens where t[0] == b[i] && i + t.count <= b.count && b[i..<(i + t.count)].elementsEqual(t) {
                out.roleMarker = true
                out.signals.append(
                    InjectionSignal(
                        category: .fakeDelimiter, rule: "structure.template_token",
                        weight: rules.weight("template_token", source), utf8Range: i..<(i + t.count)))
                return
            }
        }
    }

    /// A role name opening a line (after `#`, `*`, `>`, `[`, `<`, `-` decoration) and closed by
    /// `:`, `]` or `>`; or a `<role>`/`</role>` tag anywhere.
    private static func roleMarkers(_ b: [UInt8], _ source: InjectionSource, _ rules: InjectionStructureRules, _ out: inout StructuralScan)
    {
        var systemAt: Range<Int>? = nil
        var sides = Set<Bool>()  // true: the user's side
        var firstTurn: Range<Int>? = nil
        func role(_ from: Int) -> (name: String, end: Int)? {
            var j = from
            while j < b.count, j - from <= 24, (b[j] >= 0x61 && b[j] <= 0x7A) || b[j] == 0x20 || b[j] == 0x5F { j += 1 }
            var name = String(decoding: b[from..<j], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            name = name.replacingOccurrences(of: "_", with: " ")
            guard !name.isEmpty, rules.roles[name] != nil else { return nil }
            var k = j
            while k < b.count, b[k] == 0x2A || b[k] == 0x20 { k += 1 }  // "**System**:"
            guard k < b.count, b[k] == 0x3A || b[k] == 0x5D || b[k] == 0x3E else { return nil }  // : ] >
            return (name, k + 1)
        }
        func note(_ name: String, _ range: Range<Int>) {
            if rules.roles[name] == 2 {
                if systemAt == nil { systemAt = range }
            } else {
                sides.insert(rules.userSideRoles.contains(name))
                if firstTurn == nil { firstTurn = range }
            }
        }
        var lineStart = true
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x0A { lineStart = true; i += 1; continue }
            if lineStart {
                var j = i
                while j < b.count, [0x20, 0x09, 0x23, 0x2A, 0x3E, 0x5B, 0x3C, 0x2D, 0x7C].contains(b[j]) { j += 1 }
                if let r = role(j) {
                    // "System: Linux" (a field in a listing) is no turn: a marker opens a sentence of its own.
                    var words = 0, k = r.end, inWord = false
                    while k < b.count, b[k] != 0x0A, words < 4 {
                        let letter = b[k] >= 0x61 && b[k] <= 0x7A
                        if letter && !inWord { words += 1 }
                        inWord = letter
                        k += 1
                    }
                    if words >= 4 { note(r.name, i..<r.end) }
                }
                lineStart = false
            }
            if c == 0x3C {  // <role> or </role>
                let from = i + 1 < b.count && b[i + 1] == 0x2F ? i + 2 : i + 1
                if let r = role(from), b[r.end - 1] == 0x3E { note(r.name, i..<r.end) }
            }
            i += 1
        }
        if let s = systemAt {
            out.roleMarker = true
            out.signals.append(
                InjectionSignal(
                    category: .fakeDelimiter, rule: "structure.system_marker",
                    weight: rules.weight("system_marker", source), utf8Range: s))
        }
        if let t = firstTurn {
            out.roleMarker = true
            let both = sides.count == 2
            out.signals.append(
                InjectionSignal(
                    category: .fakeDelimiter, rule: both ? "structure.turn_markers" : "structure.turn_marker",
                    weight: rules.weight(both ? "turn_markers_both_roles" : "turn_marker", source), utf8Range: t))
        }
    }

    // MARK: Hidden text

    private static func hiddenText(
        _ text: String, _ b: [UInt8], _ source: InjectionSource, _ rules: InjectionStructureRules,
        _ out: inout StructuralScan
    ) {
        // HTML comments.
        var i = 0
        while i + 4 <= b.count {
            if b[i] == 0x3C, b[i + 1] == 0x21, b[i + 2] == 0x2D, b[i + 3] == 0x2D {
                var j = i + 4
                while j + 3 <= b.count, !(b[j] == 0x2D && b[j + 1] == 0x2D && b[j + 2] == 0x3E) { j += 1 }
                let body = String(decoding: b[(i + 4)..<min(j, b.count)], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if body.split(separator: " ").count >= 3 {
                    out.hiddenText = true
                    out.hidden.append(clipped(body))
                }
                i = j + 3
                continue
            }
            i += 1
        }
        // Unicode tag characters (U+E0020...U+E007E) spell ASCII invisibly; zero-width
        // characters split words so that a reader and a tokenizer see different text.
        // Both live outside ASCII (tag characters start with F3 A0, the zero-width ones with
        // E2 80, E2 81, EF BB or C2 AD): pure ASCII text has neither.
        guard b.contains(where: { $0 >= 0xC2 }) else { return }
        var tags = ""
        var zeroWidth = 0
        for s in text.unicodeScalars {
            switch s.value {
            case 0xE0020...0xE007E: tags.unicodeScalars.append(Unicode.Scalar(s.value - 0xE0000)!)
            case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD: zeroWidth += 1
            default: break
            }
        }
        let visible =
            zeroWidth >= 3
            ? String(
                String.UnicodeScalarView(
                    text.unicodeScalars.filter { ![0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD].contains($0.value) }))
            : ""
        if tags.count >= 8 {
            out.hiddenText = true
            out.hidden.append(tags)
            out.signals.append(
                InjectionSignal(
                    category: .hiddenText, rule: "structure.tag_characters",
                    weight: rules.weight("tag_characters", source), utf8Range: nil))
        }
        if zeroWidth >= 3 {
            out.hiddenText = true
            out.hidden.append(clipped(visible))
        }
    }

    // MARK: Links that carry data out

    private static func dataURLs(_ b: [UInt8], _ source: InjectionSource, _ rules: InjectionStructureRules, _ out: inout StructuralScan) {
        let scheme = Array("http".utf8)
        var i = 0
        while i + 8 < b.count {
            guard b[i] == 0x68, b[i..<(i + 4)].elementsEqual(scheme) else { i += 1; continue }
            var j = i
            while j < b.count, b[j] > 0x20, b[j] != 0x22, b[j] != 0x27, b[j] != 0x29 { j += 1 }
            let url = b[i..<j]
            if let q = url.firstIndex(of: 0x3F) {  // ?
                let query = String(decoding: b[q..<j], as: UTF8.self)
                if rules.placeholders.contains(where: { query.contains($0) }) {
                    // An image is fetched as the answer renders: nobody has to click.
                    let image = isImage(b, before: i)
                    out.dataURL = true
                    out.signals.append(
                        InjectionSignal(
                            category: .exfiltration, rule: image ? "structure.image_data_url" : "structure.data_url",
                            weight: rules.weight("data_url", source) * (image ? 1 : 0.6), utf8Range: i..<j))
                }
            }
            i = max(j, i + 1)
        }
    }

    /// A markdown image (`![alt](URL`) or an HTML `<img ... src="URL`.
    private static func isImage(_ b: [UInt8], before i: Int) -> Bool {
        let head = b[max(0, i - 200)..<i]
        if i >= 2, b[i - 1] == 0x28, b[i - 2] == 0x5D, let open = head.lastIndex(of: 0x5B), open > head.startIndex, b[open - 1] == 0x21 {
            return true
        }
        let tag = Array("<img".utf8)
        let near = Array(b[max(0, i - 120)..<i])
        return near.indices.contains { near[$0...].starts(with: tag) }
    }

    // MARK: Encoded runs

    private static func encoded(_ text: String, _ b: [UInt8], _ rules: InjectionStructureRules, _ out: inout StructuralScan) {
        func add(_ s: String) {
            out.encodedRun = true
            if out.decoded.count < maxSegments { out.decoded.append(clipped(s)) }
        }
        // base64 and hex runs.
        var i = 0
        while i < b.count {
            var j = i
            while j < b.count, isBase64(b[j]) { j += 1 }
            if j - i >= 20 {
                let run = Array(b[i..<j])
                // Identifiers (`sqlite3_prepare16_v2`, `snake_case_names`) are not base64:
                // an encoded payload mixes cases and digits without word separators.
                let identifier = run.contains(0x5F) || !run.contains(where: { $0 >= 0x41 && $0 <= 0x5A })
                if run.allSatisfy(isHex), run.count % 2 == 0, let s = readable(hex(run)) {
                    add(s)
                } else if !identifier, let d = base64(run), let s = readable(d) {
                    add(s)
                }
            }
            i = j + 1
        }
        // hex written as pairs with spaces or \x.
        if hexPairCount(b) >= 10 {
            let pairs = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).flatMap { $0.components(separatedBy: "\\x") }
                .filter { $0.count == 2 && $0.utf8.allSatisfy(isHex) }
            if pairs.count >= 10, let s = readable(hex(Array(pairs.joined().utf8))) { add(s) }
        }
        // URL encoding and HTML entities.
        if b.count(where: { $0 == 0x25 }) >= 6, let d = text.removingPercentEncoding, d != text { add(d) }
        if b.count(where: { $0 == 0x26 }) >= 6, let d = entities(text) { add(d) }
        // ROT13: a run of letters that reads as English once rotated, and not before.
        if let d = rot13(text, rules) { add(d) }
        // Morse: only where dots and dashes abound (or the typographic forms appear).
        if b.count(where: { $0 == 0x2E || $0 == 0x2D || $0 == 0x5F }) >= 24 || b.contains(0xC2) || b.contains(0xE2),
            let d = morse(text, rules)
        {
            add(d)
        }
    }

    @inline(__always) static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }
    @inline(__always) static func isBase64(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2F || c == 0x3D || c == 0x2D
            || c == 0x5F
    }

    static func hex(_ run: [UInt8]) -> [UInt8] {
        func v(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
        return stride(from: 0, to: run.count - 1, by: 2).map { v(run[$0]) << 4 | v(run[$0 + 1]) }
    }

    static func base64(_ run: [UInt8]) -> [UInt8]? {
        var s = String(decoding: run, as: UTF8.self).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        s = s.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }

    /// Decoded bytes that read as text: valid UTF-8, mostly letters and spaces, with words.
    static func readable(_ d: [UInt8]) -> String? {
        guard d.count >= 8, let s = String(validating: d, as: UTF8.self) else { return nil }
        let scalars = s.unicodeScalars
        let letters = scalars.count { CharacterSet.letters.contains($0) || $0 == " " }
        let controls = scalars.count { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }
        guard controls == 0, Double(letters) >= 0.7 * Double(scalars.count), s.contains(" ") else { return nil }
        return s
    }

    static func entities(_ text: String) -> String? {
        var out = ""
        var i = text.startIndex
        var decoded = 0
        while i < text.endIndex {
            if text[i] == "&", let semi = text[i...].prefix(10).firstIndex(of: ";") {
                let body = text[text.index(after: i)..<semi]
                var value: UInt32? = nil
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    value = UInt32(body.dropFirst(2), radix: 16)
                } else if body.hasPrefix("#") {
                    value = UInt32(body.dropFirst())
                }
                if let v = value, let s = Unicode.Scalar(v) {
                    out.unicodeScalars.append(s)
                    decoded += 1
                    i = text.index(after: semi)
                    continue
                }
            }
            out.append(text[i])
            i = text.index(after: i)
        }
        return decoded >= 6 ? out : nil
    }

    /// Two hex digits between separators (spaces, line breaks, `\x`): how many such pairs.
    static func hexPairCount(_ b: [UInt8]) -> Int {
        var n = 0, i = 0
        while i + 1 < b.count {
            let before = i == 0 || b[i - 1] == 0x20 || b[i - 1] == 0x0A || (i >= 2 && b[i - 2] == 0x5C && b[i - 1] == 0x78)
            let after = i + 2 == b.count || b[i + 2] == 0x20 || b[i + 2] == 0x0A || b[i + 2] == 0x5C
            if before && after && isHex(b[i]) && isHex(b[i + 1]) { n += 1; i += 2 } else { i += 1 }
        }
        return n
    }

    /// FNV-1a of lower-case ASCII letters: words are compared by hash, without a String each.
    @inline(__always) static func wordHash(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, rotate: Bool) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for k in from..<to {
            var c = b[k] | 0x20
            if rotate { c = (c - 0x61 + 13) % 26 + 0x61 }
            h = (h ^ UInt64(c)) &* 0x100000001b3
        }
        return h
    }

    static func rot13(_ text: String, _ rules: InjectionStructureRules) -> String? {
        // Words of two or more ASCII letters (single letters, like the "v" of `v2`, say
        // nothing about the language), each marked: a function word as it stands, or one once
        // rotated by 13.
        var plainHits: [Bool] = [], rotHits: [Bool] = []
        var t = text
        t.withUTF8 { b in
            let hashes = rules.functionWordHashes
            var i = 0
            while i < b.count {
                guard (b[i] | 0x20) >= 0x61 && (b[i] | 0x20) <= 0x7A else { i += 1; continue }
                var j = i
                while j < b.count, (b[j] | 0x20) >= 0x61, (b[j] | 0x20) <= 0x7A { j += 1 }
                // A word glued to other letters or digits (`sqlite3`) is not a word here.
                let glued = j < b.count && b[j] >= 0x30 && b[j] <= 0x39
                if j - i >= 2, !glued {
                    plainHits.append(hashes.contains(wordHash(b, i, j, rotate: false)))
                    // A ROT13 word rotated back is a function word: hash its rotation.
                    rotHits.append(hashes.contains(wordHash(b, i, j, rotate: true)))
                }
                i = j
            }
        }
        guard plainHits.count >= 5 else { return nil }
        let window = min(8, plainHits.count)
        var found = false
        var plain = plainHits[0..<window].count { $0 }, rot = rotHits[0..<window].count { $0 }
        for start in 0...(plainHits.count - window) {
            if start > 0 {
                plain += (plainHits[start + window - 1] ? 1 : 0) - (plainHits[start - 1] ? 1 : 0)
                rot += (rotHits[start + window - 1] ? 1 : 0) - (rotHits[start - 1] ? 1 : 0)
            }
            if rot >= 3, plain <= 1 { found = true; break }
        }
        guard found else { return nil }
        return String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s in
                    let v = s.value
                    if v >= 0x61, v <= 0x7A { return Unicode.Scalar((v - 0x61 + 13) % 26 + 0x61)! }
                    if v >= 0x41, v <= 0x5A { return Unicode.Scalar((v - 0x41 + 13) % 26 + 0x41)! }
                    return s
                }))
    }

    static func morse(_ text: String, _ rules: InjectionStructureRules) -> String? {
        // The dot and dash look-alikes as "." and "-", in one pass over the scalars (four
        // Foundation replacements took a third of the ingest-time scan's structural checks).
        var scalars = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            switch u {
            case "\u{00B7}", "\u{0387}": scalars.append(".")  // middle dot (and the Greek ano teleia, its canonical twin)
            case "\u{2212}", "\u{2013}", "_": scalars.append("-")  // minus sign, en dash, underscore
            default: scalars.append(u)
            }
        }
        let normalized = String(scalars)
        var best = "", current = "", letters = 0
        for token in normalized.split(separator: " ", omittingEmptySubsequences: false) {
            if token == "/" || token == "|" { current += " "; continue }
            if token.isEmpty { continue }
            if token.allSatisfy({ $0 == "." || $0 == "-" }), let l = rules.morse[String(token)] {
                current += l
                letters += 1
            } else if token.contains("/"), token.split(separator: "/").allSatisfy({ $0.allSatisfy { $0 == "." || $0 == "-" } }) {
                for (k, part) in token.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
                    if k > 0 { current += " " }
                    if let l = rules.morse[String(part)] { current += l; letters += 1 }
                }
            } else {
                if current.count > best.count { best = current }
                current = ""
            }
        }
        if current.count > best.count { best = current }
        let trimmed = best.trimmingCharacters(in: .whitespaces)
        return letters >= 12 && trimmed.contains(" ") ? trimmed : nil
    }
}
