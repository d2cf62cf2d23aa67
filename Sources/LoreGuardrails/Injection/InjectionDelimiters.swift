// Fake role markers and markdown-image exfiltration, found on the raw UTF-8 bytes: these live in
// punctuation ("<|im_start|>", "[INST]", "</system>", "### System:", "![x](https://h/?q={chat})")
// that the token view drops.

/// A signal found on the raw text.
struct InjRawSignal {
    var rule: String
    var category: InjectionCategory
    var weight: Double
    var range: Range<Int>
}

enum InjDelimiterScanner {
    /// Role names in tags and markers, with their strength: 2 system-level, 1 a conversation role,
    /// 0 the closing tag of a context wrapper (a break-out attempt).
    private static let tagRoles: [String: Int] = [
        "system": 2, "system_prompt": 2, "systemprompt": 2, "system-prompt": 2, "sys": 2, "instructions": 2,
        "instruction": 2, "admin": 2, "developer": 2, "prompt": 2, "system_message": 2, "im_start": 2,
        "assistant": 1, "user": 1, "human": 1, "ai": 1, "bot": 1, "model": 1, "tool": 1,
        "context": 0, "document": 0, "documents": 0, "search_results": 0, "retrieved_context": 0,
        "user_input": 0, "user_query": 0, "source": 0, "sources": 0, "data": 0,
    ]

    private static let lineRoles: [String: Int] = [
        "system": 2, "sys": 2, "system prompt": 2, "system message": 2, "system instruction": 2,
        "system instructions": 2, "instruction": 3, "instructions": 3, "developer": 1, "admin": 1,
        "assistant": 0, "ai": 0, "bot": 0, "human": 0, "user": 0,
    ]

    private static let hiddenStyles: [(StaticString, Int)] = [
        ("display:", 8), ("font-size:", 10), ("visibility:", 11), ("opacity:", 8),
    ]

    /// Words after a marker that show it is being talked about.
    private static let mentionWords: Set<String> = [
        "tag", "tags", "token", "tokens", "marker", "markers", "delimiter", "delimiters", "element", "elements",
        "block", "blocks", "and", "or", "is", "are", "was", "means", "format", "syntax", "template",
    ]

    /// Query keys that carry data out of a markdown image URL.
    private static let dataKeys: Set<String> = [
        "data", "q", "query", "conversation", "chat", "history", "secret", "secrets", "password", "pwd", "prompt",
        "message", "msg", "summary", "context", "key", "apikey", "api_key", "token", "info", "d", "c", "p", "m",
        "content", "text", "input", "user", "session", "memory", "leak", "exfil", "payload", "k", "s", "u", "chat_history",
    ]

    static func scan(_ text: String, source: InjectionSource) -> [InjRawSignal] {
        var s = text
        return s.withUTF8 { buf in scan(buf, source: source) }
    }

    private static func scan(_ buf: UnsafeBufferPointer<UInt8>, source: InjectionSource) -> [InjRawSignal] {
        var out: [InjRawSignal] = []
        let n = buf.count
        let q = source == .question
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
        @inline(__always) func isNameByte(_ b: UInt8) -> Bool {
            let l = lower(b)
            return (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
        }
        func word(_ from: Int, _ to: Int) -> String {
            String(decoding: buf[from ..< to].map(lower), as: UTF8.self)
        }
        func matches(_ i: Int, _ lit: StaticString) -> Bool {
            let len = lit.utf8CodeUnitCount
            guard i + len <= n else { return false }
            let p = lit.utf8Start
            for k in 0 ..< len where lower(buf[i + k]) != p[k] { return false }
            return true
        }

        /// A marker used as structure (at a line start, at a line end, next to another marker, or
        /// before a role name) rather than mentioned in prose ("the [INST] tag").
        func structural(_ s: Int, _ e: Int) -> Bool {
            var z = e
            while z < n && (buf[z] == 0x20 || buf[z] == 0x09) { z += 1 }
            // "<system> tags", "[INST] and [/INST]": the marker is named, not used.
            var w = z
            while w < n && w - z < 12 && lower(buf[w]) >= 0x61 && lower(buf[w]) <= 0x7A { w += 1 }
            if w > z, mentionWords.contains(word(z, w)) { return false }
            var a = s - 1
            while a >= 0 && (buf[a] == 0x20 || buf[a] == 0x09) { a -= 1 }
            if a < 0 || buf[a] == 0x0A || buf[a] == 0x3E || buf[a] == 0x5D || buf[a] == 0x7D || buf[a] == 0x5B { return true }
            if z >= n || buf[z] == 0x0A || buf[z] == 0x3C || buf[z] == 0x5B || buf[z] == 0x7B || buf[z] == 0x5D { return true }
            return matches(e, "system") || matches(e, "user") || matches(e, "assistant") || matches(e, "developer")
        }
        func add(_ rule: String, _ category: InjectionCategory, _ w: Double, _ r: Range<Int>) {
            out.append(InjRawSignal(rule: rule, category: category, weight: structural(r.lowerBound, r.upperBound) ? w : w * 0.5,
                                 range: r))
        }

        var lineStart = true
        var i = 0
        while i < n {
            let b = buf[i]
            if b == 0x0A { lineStart = true; i += 1; continue }
            if lineStart && (b == 0x20 || b == 0x09) { i += 1; continue }
            let atLineStart = lineStart
            lineStart = false

            switch b {
            case 0x3C: // <
                if matches(i, "<img") {
                    // <img src="https://host/p.gif?c={{conversation}}">
                    var j = i + 4
                    while j < n && j - i < 400 && buf[j] != 0x3E {
                        if matches(j, "src=") {
                            var k = j + 4
                            if k < n && (buf[k] == 0x22 || buf[k] == 0x27) { k += 1 }
                            var e = k
                            while e < n && e - k < 2000 && buf[e] != 0x22 && buf[e] != 0x27 && buf[e] != 0x20 && buf[e] != 0x3E { e += 1 }
                            if dataURL(Array(buf[k ..< e])) {
                                out.append(InjRawSignal(rule: "exfil.html_image", category: .exfiltration, weight: 0.6, range: i ..< e))
                            }
                            break
                        }
                        j += 1
                    }
                }
                if i + 1 < n && buf[i + 1] == 0x7C {
                    // <|im_start|>, <|system|>, <|endoftext|>, <|eot_id|>
                    var j = i + 2
                    while j < n && j - i < 40 && isNameByte(buf[j]) { j += 1 }
                    if j + 1 < n && j - i - 2 >= 2 && buf[j] == 0x7C && buf[j + 1] == 0x3E {
                        let name = word(i + 2, j)
                        let extra = name.contains("system") ? 0.1 : 0
                        add("delimiter.special_token", .fakeDelimiter, (q ? 0.55 : 0.45) + extra, i ..< j + 2)
                        i = j + 2
                        continue
                    }
                }
                if matches(i, "<<sys>>") || matches(i, "<</sys>>") {
                    let len = matches(i, "<<sys>>") ? 7 : 8
                    add("delimiter.llama_sys", .fakeDelimiter, q ? 0.55 : 0.5, i ..< i + len)
                    i += len
                    continue
                }
                // <system>, </system>, <instructions>, </context>
                var j = i + 1
                let closing = j < n && buf[j] == 0x2F
                if closing { j += 1 }
                let nameStart = j
                while j < n && j - nameStart < 24 && isNameByte(buf[j]) { j += 1 }
                if j < n && j > nameStart && buf[j] == 0x3E, let strength = tagRoles[word(nameStart, j)] {
                    let w: Double
                    switch strength {
                    case 2: w = q ? 0.55 : 0.5
                    case 1: w = q ? 0.4 : 0.3
                    default: w = closing ? (q ? 0.35 : 0.4) : 0
                    }
                    if w > 0 {
                        add("delimiter.role_tag", .fakeDelimiter, w, i ..< j + 1)
                    }
                    i = j + 1
                    continue
                }
            case 0x5B: // [
                if matches(i, "[inst]") || matches(i, "[/inst]") {
                    let len = matches(i, "[inst]") ? 6 : 7
                    add("delimiter.inst", .fakeDelimiter, q ? 0.5 : 0.4, i ..< i + len)
                    i += len
                    continue
                }
                var j = i + 1
                if j < n && buf[j] == 0x2F { j += 1 }
                let nameStart = j
                while j < n && j - nameStart < 24 && (isNameByte(buf[j]) || buf[j] == 0x20) { j += 1 }
                if j < n && j > nameStart && buf[j] == 0x5D, let strength = lineRoles[word(nameStart, j)] {
                    let w: Double = strength >= 2 ? (q ? 0.55 : 0.5) : strength == 1 ? 0.35 : (q ? 0.35 : 0.2)
                    add("delimiter.bracket_role", .fakeDelimiter, w, i ..< j + 1)
                    i = j + 1
                    continue
                }
            case 0x64, 0x44, 0x66, 0x46, 0x76, 0x56, 0x6F, 0x4F:
                // Text hidden from people: display:none, font-size:0, visibility:hidden, opacity:0.
                guard i + 10 < n, buf[i + 7] == 0x3A || buf[i + 9] == 0x3A || buf[i + 10] == 0x3A else { break }
                for (lit, len) in hiddenStyles where matches(i, lit) {
                    var k = i + len
                    while k < n && buf[k] == 0x20 { k += 1 }
                    let zero = matches(k, "none") || matches(k, "hidden") || (k < n && buf[k] == 0x30
                        && (k + 1 >= n || !(buf[k + 1] >= 0x31 && buf[k + 1] <= 0x39) && buf[k + 1] != 0x2E))
                    if zero {
                        out.append(InjRawSignal(rule: "directive.hidden_text", category: .modelDirective,
                                             weight: 0.25, range: i ..< min(n, k + 4)))
                    }
                }
            case 0x21: // ![alt](url?q={data})
                if i + 1 < n && buf[i + 1] == 0x5B, let r = markdownImage(buf, i) {
                    out.append(InjRawSignal(rule: "exfil.markdown_image", category: .exfiltration, weight: 0.6, range: r))
                    i = r.upperBound
                    continue
                }
            default:
                break
            }

            // A role marker opens a line, or follows "##" anywhere ("Lorem ipsum. ### Instruction:").
            let midLineHashes = !atLineStart && b == 0x23 && i + 1 < n && buf[i + 1] == 0x23
                && (i == 0 || buf[i - 1] == 0x20 || buf[i - 1] == 0x09)
            if atLineStart || midLineHashes {
                // "### System:", "SYSTEM:", "**System prompt:**", "Human:", "=== system ==="
                var j = i
                var hashes = 0
                var markup = false
                while j < n && (buf[j] == 0x23 || buf[j] == 0x2A || buf[j] == 0x3D || buf[j] == 0x3E
                    || buf[j] == 0x2D || buf[j] == 0x20) {
                    if buf[j] == 0x23 { hashes += 1 }
                    if buf[j] != 0x20 { markup = true }
                    j += 1
                }
                let wordStart = j
                var caps = true
                while j < n && j - wordStart < 14 && isNameByte(buf[j]) {
                    if buf[j] >= 0x61 && buf[j] <= 0x7A { caps = false }
                    j += 1
                }
                var wordEnd = j
                // A second word only when the pair is a role ("System prompt:").
                if j + 1 < n && buf[j] == 0x20 {
                    var j2 = j + 1
                    while j2 < n && j2 - j < 14 && isNameByte(buf[j2]) { j2 += 1 }
                    if j2 > j + 1 && lineRoles[word(wordStart, j2)] != nil { wordEnd = j2 }
                }
                if wordEnd > wordStart, let strength = lineRoles[word(wordStart, wordEnd)] {
                    var k = wordEnd
                    while k < n && (buf[k] == 0x2A || buf[k] == 0x3D || buf[k] == 0x23 || buf[k] == 0x20) { k += 1 }
                    let colon = k < n && buf[k] == 0x3A
                    let endOfLine = k >= n || buf[k] == 0x0A
                    let closedByHashes = hashes >= 2 && wordEnd < n && buf[wordEnd] == 0x23
                    let accepted = colon || (hashes >= 2 && endOfLine) || (markup && endOfLine && caps) || closedByHashes
                    if accepted && (atLineStart || hashes >= 2) {
                        var w: Double
                        switch strength {
                        case 3: w = (hashes >= 2 || caps) ? 0.45 : 0
                        case 2: w = (hashes >= 2 || caps) ? 0.55 : (q ? 0.45 : 0.3)
                        case 1: w = q ? 0.35 : 0.3
                        default: w = q ? 0.4 : 0.2
                        }
                        if hashes >= 2 && strength == 0 { w = max(w, 0.35) }
                        if w > 0 { out.append(InjRawSignal(rule: "delimiter.role_line", category: .fakeDelimiter, weight: w,
                                             range: i ..< min(n, k + 1))) }
                    }
                }
            }
            // Skip to the next interesting byte.
            i += 1
        }
        return out
    }

    /// The range of a markdown image whose URL query carries a placeholder or a data key.
    private static func markdownImage(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> Range<Int>? {
        let n = buf.count
        var j = i + 2
        while j < n && j - i < 300 && buf[j] != 0x5D && buf[j] != 0x0A { j += 1 }
        guard j + 1 < n, buf[j] == 0x5D, buf[j + 1] == 0x28 else { return nil }
        let urlStart = j + 2
        var k = urlStart
        while k < n && k - urlStart < 2000 && buf[k] != 0x29 && buf[k] != 0x20 && buf[k] != 0x0A { k += 1 }
        return dataURL(Array(buf[urlStart ..< k])) ? i ..< min(n, k + 1) : nil
    }

    /// Whether an image URL carries data out: a query with a placeholder, or a data key whose
    /// value is empty, long or an upper-case placeholder ("?k=KEY").
    private static func dataURL(_ url: [UInt8]) -> Bool {
        guard url.count > 8, let qm = url.firstIndex(of: 0x3F) else { return false }
        let lowerURL = url.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
        guard lowerURL.starts(with: Array("http".utf8)) || lowerURL.starts(with: Array("//".utf8)) else { return false }
        let query = lowerURL[(qm + 1)...]
        if query.contains(0x7B) || query.contains(0x24) || query.contains(0x5B) || query.contains(0x3C) { return true }
        let rawQuery = url[(qm + 1)...]
        for (pair, rawPair) in zip(query.split(separator: 0x26), rawQuery.split(separator: 0x26)) {
            let key = pair.split(separator: 0x3D, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
            if dataKeys.contains(String(decoding: key, as: UTF8.self)) {
                // A data key whose value is empty, long (an appended payload) or a placeholder.
                let value = rawPair.drop(while: { $0 != 0x3D }).dropFirst()
                let placeholder = value.count >= 3 && value.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F }
                if value.isEmpty || value.count > 24 || placeholder { return true }
            }
        }
        return false
    }
}
