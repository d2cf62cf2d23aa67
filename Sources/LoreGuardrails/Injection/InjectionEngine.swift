// The phrase-rule engine behind `InjectionDetector`.
//
// The lexicon (InjectionLexicon.swift) sorts words of ten languages into named groups: OVR
// (ignore, disregard, vergiss, игнорируй, 忽略…), PREV (previous, above, précédentes…), INSTR
// (instructions, Anweisungen, 指令…) and so on. A multi-word entry ("set aside", "linee guida")
// becomes a macro. Patterns (InjectionRules.swift) are sequences of slots, each a set of groups or
// literal words, with a bounded number of filler tokens allowed before each slot:
//
//     "!OVR ~3 PREV|YOUR|SYS ~2 INSTR|SYSPROMPT"
//
// reads "an override verb in imperative position, then within three filler tokens a word for
// previous / your / system, then within two more an instruction noun". Macros run first and mark
// token spans with a group (SYSPROMPT for "system prompt", "prompt del sistema", "システムプロンプト");
// rules then fire signals. Matching never crosses a sentence end, nor a comma unless the rule
// allows it, and filler tokens may not be conjunctions or third-person possessives ("its", "their").

/// Bits for the groups the matcher consults directly (imperative mood, negation, gap blockers,
/// discussion markers).
enum InjSpecialBit {
    static let impOK: UInt32 = 1 << 0        // please, just, now… may precede an imperative
    static let modal: UInt32 = 1 << 1        // must, should, will…
    static let permissive: UInt32 = 1 << 2   // can, could, may…
    static let you: UInt32 = 1 << 3          // you, tu, du, ты…
    static let neg: UInt32 = 1 << 4          // not, never, nicht, не…
    static let negPost: UInt32 = 1 << 5      // negation after the verb: nicht, pas, niet
    static let block: UInt32 = 1 << 6        // and, or, but, its, their… end a filler run
    static let meta: UInt32 = 1 << 7         // attack, injection, example… (text about injection)
    static let exMark: UInt32 = 1 << 8       // such as, e.g., for example
    static let to: UInt32 = 1 << 9           // infinitive "to"
    static let copula: UInt32 = 1 << 10      // is, are, was
    static let coord: UInt32 = 1 << 11       // and, then (a coordinated imperative)
    static let addressee: UInt32 = 1 << 12   // AI, assistant, LLM…
    static let anyAll: UInt32 = 1 << 13      // any, all, every
    static let infMark: UInt32 = 1 << 14     // zu, te: an infinitive before a clause-final verb
    static let infPost: UInt32 = 1 << 15     // させ: a causative after a clause-final verb
    static let report: UInt32 = 1 << 16      // say, write, reads: a quotation follows
    static let license: UInt32 = 1 << 17     // permission, allowed: "…to ignore" is an order

    static let byGroup: [String: UInt32] = [
        "IMPOK": impOK, "MODAL": modal, "PERMISSIVE": permissive, "YOU": you, "NEG": neg, "NEGPOST": negPost,
        "BLOCK": block, "META": meta, "EXMARK": exMark, "TO": to, "COPULA": copula, "COORD": coord,
        "ADDRESSEE": addressee, "ANYALL": anyAll, "INFMARK": infMark, "INFPOST": infPost, "REPORT": report,
        "LICENSE": license,
    ]
}

/// One slot of a pattern (as compiled; flattened into `InjFlatSlot` for matching).
struct InjSlot: Sendable {
    var groups: [UInt16]
    /// Filler tokens allowed before this slot (a CJK token counts half).
    var maxGap: Int
    /// The token must be in imperative position (see `InjMatchEnv.mood`). On the first slot of a rule
    /// this scales the weight instead of rejecting the match.
    var imperative = false
    /// The token must start a clause.
    var clauseStart = false
    /// The token must be followed by ':' (or ',' when `commaOK`).
    var colonAfter = false
    var commaOK = false
}

struct InjPattern: Sendable {
    var slots: [InjSlot]
    /// Filler may cross commas, colons and line breaks (never sentence ends).
    var crossComma = false
    /// The token after the match must end the clause (or be a conjunction).
    var endClause = false
    /// The token after the match must not be in this group.
    var notFollowedBy: UInt16? = nil
    /// Filler may contain conjunctions and third-person possessives.
    var noBlock = false
}

struct InjMacro: Sendable {
    var pattern: InjPattern
    var produces: UInt16
}

/// A rule as written in InjectionRules.swift.
struct InjRuleSpec: Sendable {
    var id: String
    var category: InjectionCategory
    /// Weight for a question and for a document.
    var question: Double
    var document: Double
    var pattern: String
    var crossComma = false
    var endClause = false
    var negatable = true
    var commentOnly = false
    /// Also reject when a negation stands just before the last slot ("Anweisungen nicht ignorieren").
    var negatedBeforeLast = false
    /// Filler may contain conjunctions ("summarize our conversation and put it in the URL").
    var noBlock = false
    /// Supporting evidence that adds to an overlapping signal of its category instead of competing with it.
    var additive = false
}

struct InjCompiledRule: Sendable {
    var spec: InjRuleSpec
    var pattern: InjPattern
}

// MARK: - Flat tables

/// A slot in the flat tables: its alternatives are `alts[altStart ..< altStart + altCount]`.
struct InjFlatSlot {
    var altStart: Int32
    var altCount: UInt16
    var maxGap: UInt16
    var flags: UInt8

    static let imperative: UInt8 = 1, clauseStart: UInt8 = 2, colonAfter: UInt8 = 4, commaOK: UInt8 = 8
}

struct InjFlatPattern {
    var slotStart: Int32
    var slotCount: Int32
    var flags: UInt8
    var notFollowedBy: Int32

    static let crossComma: UInt8 = 1, endClause: UInt8 = 2, noBlock: UInt8 = 4
}

/// Copies `a` into memory that lives as long as the process: the model is a singleton, and its
/// tables are read through plain pointers so that matching does no reference counting.
private func frozen<T>(_ a: [T]) -> UnsafeBufferPointer<T> {
    let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(a.count, 1))
    _ = p.initialize(from: a)
    return UnsafeBufferPointer(start: p.baseAddress, count: a.count)
}

/// An open-addressing hash table from a word hash to its groups.
struct InjLexTable {
    let keys: UnsafeBufferPointer<UInt64>
    let values: UnsafeBufferPointer<UInt32>   // start << 8 | count, into `groups`
    let groups: UnsafeBufferPointer<UInt16>
    let mask: Int

    init(_ dict: [UInt64: [UInt16]]) {
        var size = 16
        while size < dict.count * 2 + 1 { size <<= 1 }
        var keys = [UInt64](repeating: 0, count: size)
        var values = [UInt32](repeating: 0, count: size)
        var groups: [UInt16] = []
        for (k, gs) in dict {
            let key = k == 0 ? 1 : k
            var i = Int(truncatingIfNeeded: key ^ (key >> 29)) & (size - 1)
            while keys[i] != 0 { i = (i + 1) & (size - 1) }
            keys[i] = key
            let unique = Array(Set(gs)).sorted()
            values[i] = UInt32(groups.count) << 8 | UInt32(min(unique.count, 255))
            groups.append(contentsOf: unique.prefix(255))
        }
        self.keys = frozen(keys)
        self.values = frozen(values)
        self.groups = frozen(groups)
        self.mask = size - 1
    }

    /// The groups of the word with hash `h` (empty when none).
    @inline(__always) func find(_ h: UInt64) -> UnsafeBufferPointer<UInt16> {
        let key = h == 0 ? 1 : h
        var i = Int(truncatingIfNeeded: key ^ (key >> 29)) & mask
        while true {
            let k = keys[i]
            if k == key {
                let v = values[i]
                return UnsafeBufferPointer(rebasing: groups[Int(v >> 8) ..< Int(v >> 8) + Int(v & 0xFF)])
            }
            if k == 0 { return UnsafeBufferPointer(start: nil, count: 0) }
            i = (i + 1) & mask
        }
    }

    @inline(__always) func contains(_ h: UInt64) -> Bool { !find(h).isEmpty }
}

/// The compiled lexicon, macros and rules: built once, shared by every detector, never mutated.
final class InjectionModel: @unchecked Sendable {
    static let shared = InjectionModel()

    let groupIndex: [String: UInt16]
    let groupNames: [String]
    let rules: [InjRuleSpec]
    let exact: InjLexTable
    let caps: InjLexTable
    let prefix: InjLexTable
    let suffix: InjLexTable
    let prefixLengths: [Int]
    let suffixLengths: [Int]
    let cjkMaxLen: Int
    /// ASCII words for re-segmenting glued text ("ignorepreviousinstructions").
    let breakVocab: InjLexTable
    let breakStarts: InjLexTable
    let breakMaxWord: Int
    let specialBits: UnsafeBufferPointer<UInt32>
    let alts: UnsafeBufferPointer<UInt16>
    let slots: UnsafeBufferPointer<InjFlatSlot>
    let patterns: UnsafeBufferPointer<InjFlatPattern>
    let macroPattern: UnsafeBufferPointer<Int32>
    let macroProduces: UnsafeBufferPointer<UInt16>
    /// Per macro level: macros whose first slot holds group g are `list[start[g] ..< start[g + 1]]`.
    let macroLevels: [(start: UnsafeBufferPointer<Int32>, list: UnsafeBufferPointer<Int32>)]
    let ruleStart: UnsafeBufferPointer<Int32>
    let ruleList: UnsafeBufferPointer<Int32>
    let rulePattern: UnsafeBufferPointer<Int32>
    /// Whether a rule's first slot is an order in imperative position ("ignore…", not "an AI without…").
    let ruleIsOrder: [Bool]
    let destGroup: UInt16, tldGroup: UInt16, quoteStartGroup: UInt16, urlGroup: UInt16, capGroup: UInt16
    let colonGroup: UInt16

    private init() {
        var b = InjModelBuilder()
        for name in ["DEST", "TLD", "QSTART", "URLTOK", "CAPW", "COLONTOK"] { _ = b.group(name) }
        for (name, _) in InjectionRules.macros { _ = b.group(name) }
        for (name, words) in InjectionLexicon.groups {
            let g = b.group(name)
            for w in words.split(whereSeparator: { $0 == " " || $0 == "\n" }) { b.register(String(w), g) }
        }
        for (name, pattern) in InjectionRules.macros { b.addMacro(pattern, produces: b.group(name)) }
        for spec in InjectionRules.all { b.addRule(spec) }
        for w in InjectionLexicon.breakFillers.split(whereSeparator: { $0 == " " || $0 == "\n" }) { b.addBreakWord(String(w)) }
        for w in InjectionLexicon.breakStarts.split(whereSeparator: { $0 == " " || $0 == "\n" }) { b.addBreakStart(String(w)) }

        groupIndex = b.groupIndex
        groupNames = b.groupNames
        exact = InjLexTable(b.exact)
        caps = InjLexTable(b.caps)
        prefix = InjLexTable(b.prefix)
        suffix = InjLexTable(b.suffix)
        prefixLengths = b.prefixLengths.sorted()
        suffixLengths = b.suffixLengths.sorted()
        cjkMaxLen = b.cjkMaxLen
        breakVocab = InjLexTable(Dictionary(uniqueKeysWithValues: b.breakVocab.map { ($0, [UInt16(0)]) }))
        breakStarts = InjLexTable(Dictionary(uniqueKeysWithValues: b.breakStarts.map { ($0, [UInt16(0)]) }))
        breakMaxWord = b.breakMaxWord
        specialBits = frozen(b.specialBits)
        destGroup = b.groupIndex["DEST"]!
        tldGroup = b.groupIndex["TLD"]!
        quoteStartGroup = b.groupIndex["QSTART"]!
        urlGroup = b.groupIndex["URLTOK"]!
        capGroup = b.groupIndex["CAPW"]!
        colonGroup = b.groupIndex["COLONTOK"]!

        // Flatten the patterns: macros first, then rules.
        var alts: [UInt16] = []
        var slots: [InjFlatSlot] = []
        var patterns: [InjFlatPattern] = []
        func flatten(_ p: InjPattern) -> Int32 {
            let start = Int32(slots.count)
            for s in p.slots {
                var f: UInt8 = 0
                if s.imperative { f |= InjFlatSlot.imperative }
                if s.clauseStart { f |= InjFlatSlot.clauseStart }
                if s.colonAfter { f |= InjFlatSlot.colonAfter }
                if s.commaOK { f |= InjFlatSlot.commaOK }
                slots.append(InjFlatSlot(altStart: Int32(alts.count), altCount: UInt16(s.groups.count),
                                      maxGap: UInt16(s.maxGap), flags: f))
                alts.append(contentsOf: s.groups)
            }
            var pf: UInt8 = 0
            if p.crossComma { pf |= InjFlatPattern.crossComma }
            if p.endClause { pf |= InjFlatPattern.endClause }
            if p.noBlock { pf |= InjFlatPattern.noBlock }
            patterns.append(InjFlatPattern(slotStart: start, slotCount: Int32(p.slots.count), flags: pf,
                                        notFollowedBy: p.notFollowedBy.map { Int32($0) } ?? -1))
            return Int32(patterns.count - 1)
        }
        let macros = b.pendingMacros
        let macroPatternIndex = macros.map { flatten($0.pattern) }
        let rulePatternIndex = b.rules.map { flatten($0.pattern) }
        rules = b.rules.map(\.spec)
        ruleIsOrder = b.rules.map { $0.pattern.slots[0].imperative }

        // Macro levels: a macro that reads a group some macro produces runs after it.
        var producers: [UInt16: [Int]] = [:]
        for (k, mac) in macros.enumerated() { producers[mac.produces, default: []].append(k) }
        var level = [Int](repeating: 0, count: macros.count)
        var changed = true
        var rounds = 0
        while changed && rounds < 16 {
            changed = false
            rounds += 1
            for (k, mac) in macros.enumerated() {
                var l = 0
                for s in mac.pattern.slots { for g in s.groups { for p in producers[g] ?? [] where p != k { l = max(l, level[p] + 1) } } }
                if l != level[k] { level[k] = l; changed = true }
            }
        }
        let groupCount = b.groupNames.count
        func index(_ items: [(first: [UInt16], id: Int)]) -> (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>) {
            var byGroup = [[Int32]](repeating: [], count: groupCount)
            for item in items { for g in Set(item.first) { byGroup[Int(g)].append(Int32(item.id)) } }
            var start: [Int32] = [0]
            var list: [Int32] = []
            for l in byGroup { list.append(contentsOf: l); start.append(Int32(list.count)) }
            return (frozen(start), frozen(list))
        }
        let levels = (level.max() ?? -1) + 1
        macroLevels = (0 ..< levels).map { lv in
            let (s, l) = index(macros.indices.filter { level[$0] == lv }.map { (macros[$0].pattern.slots[0].groups, $0) })
            return (start: s, list: l)
        }
        macroPattern = frozen(macroPatternIndex)
        macroProduces = frozen(macros.map(\.produces))
        (ruleStart, ruleList) = index(b.rules.enumerated().map { ($0.element.pattern.slots[0].groups, $0.offset) })
        rulePattern = frozen(rulePatternIndex)
        self.alts = frozen(alts)
        self.slots = frozen(slots)
        self.patterns = frozen(patterns)
    }

    func groupID(_ name: String) -> UInt16 {
        guard let g = groupIndex[name] else { preconditionFailure("unknown group \(name)") }
        return g
    }
}

// MARK: - Building

struct InjModelBuilder {
    var groupIndex: [String: UInt16] = [:]
    var groupNames: [String] = []
    var specialBits: [UInt32] = []
    var exact: [UInt64: [UInt16]] = [:]
    var caps: [UInt64: [UInt16]] = [:]
    var prefix: [UInt64: [UInt16]] = [:]
    var suffix: [UInt64: [UInt16]] = [:]
    var cjkMaxLen = 1
    var breakVocab: Set<UInt64> = []
    var breakStarts: Set<UInt64> = []
    var breakMaxWord = 0
    var rules: [InjCompiledRule] = []
    var pendingMacros: [InjMacro] = []
    var prefixLengths: Set<Int> = []
    var suffixLengths: Set<Int> = []

    mutating func group(_ name: String) -> UInt16 {
        if let g = groupIndex[name] { return g }
        let g = UInt16(groupNames.count)
        groupIndex[name] = g
        groupNames.append(name)
        specialBits.append(InjSpecialBit.byGroup[name] ?? 0)
        return g
    }

    /// The group of a literal word in a pattern ("=now").
    mutating func literal(_ word: String) -> UInt16 {
        let name = "=" + word
        if let g = groupIndex[name] { return g }
        let g = group(name)
        register(word, g)
        return g
    }

    /// Adds `raw` to group `g`. `word*` is a prefix, `^WORD` matches only when written in capitals,
    /// `a_b` (or any entry that normalises to several tokens) becomes a macro.
    mutating func register(_ raw: String, _ g: UInt16) {
        var w = Substring(raw)
        var isPrefix = false
        var isSuffix = false
        var capsOnly = false
        if w.hasSuffix("*") { isPrefix = true; w = w.dropLast() }
        if w.hasPrefix("*") { isSuffix = true; w = w.dropFirst() }
        if w.hasPrefix("^") { capsOnly = true; w = w.dropFirst() }
        let text = w.replacingOccurrences(of: "_", with: " ")
        let nt = InjTokenizer.tokenize(text, lexiconMode: true)
        guard !nt.tokens.isEmpty else { return }
        if nt.tokens.count == 1 {
            let t = nt.tokens[0]
            let bytes = Array(nt.bytes[Int(t.start) ..< Int(t.end)])
            var h = injFNVOffset
            for c in bytes { h = injFNVStep(h, c) }
            if isPrefix {
                prefix[h, default: []].append(g)
                prefixLengths.insert(bytes.count)
            } else if isSuffix {
                suffix[h, default: []].append(g)
                suffixLengths.insert(bytes.count)
            } else if capsOnly {
                caps[h, default: []].append(g)
            } else {
                exact[h, default: []].append(g)
                if t.isCJK {
                    let chars = String(decoding: bytes, as: UTF8.self).unicodeScalars.count
                    cjkMaxLen = max(cjkMaxLen, chars)
                } else if bytes.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) {
                    breakVocab.insert(h)
                    breakMaxWord = max(breakMaxWord, bytes.count)
                }
            }
            return
        }
        // Several tokens: a macro of literal words, gap 0.
        var slots: [InjSlot] = []
        for t in nt.tokens {
            let word = String(decoding: nt.bytes[Int(t.start) ..< Int(t.end)], as: UTF8.self)
            slots.append(InjSlot(groups: [literal(word)], maxGap: 0))
        }
        pendingMacros.append(InjMacro(pattern: InjPattern(slots: slots), produces: g))
    }

    mutating func addBreakWord(_ w: String) {
        var h = injFNVOffset
        for c in w.utf8 { h = injFNVStep(h, c) }
        breakVocab.insert(h)
    }

    mutating func addBreakStart(_ w: String) {
        var h = injFNVOffset
        for c in w.utf8 { h = injFNVStep(h, c) }
        breakStarts.insert(h)
    }

    mutating func compile(_ text: String) -> InjPattern {
        var slots: [InjSlot] = []
        var gap = 0
        var notFollowedBy: UInt16? = nil
        for part in text.split(separator: " ") {
            if part.hasPrefix("~") {
                gap = Int(part.dropFirst()) ?? 0
                continue
            }
            if part.hasPrefix("-") && part.count > 1 {
                let name = String(part.dropFirst())
                precondition(groupIndex[name] != nil, "unknown group \(name) in \(text)")
                notFollowedBy = groupIndex[name]
                continue
            }
            var p = Substring(part)
            var slot = InjSlot(groups: [], maxGap: gap)
            gap = 0
            while let c = p.first, c == "!" || c == "^" {
                if c == "!" { slot.imperative = true } else { slot.clauseStart = true }
                p = p.dropFirst()
            }
            if p.hasSuffix(":") { slot.colonAfter = true; p = p.dropLast() }
            if p.hasSuffix(",") { slot.colonAfter = true; slot.commaOK = true; p = p.dropLast() }
            for alt in p.split(separator: "|") {
                let isGroup = alt.first!.isUppercase && alt.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }
                if isGroup {
                    precondition(groupIndex[String(alt)] != nil, "unknown group \(alt) in \(text)")
                    slot.groups.append(groupIndex[String(alt)]!)
                } else {
                    slot.groups.append(literal(String(alt)))
                }
            }
            slots.append(slot)
        }
        precondition(!slots.isEmpty, "empty pattern")
        return InjPattern(slots: slots, notFollowedBy: notFollowedBy)
    }

    mutating func addMacro(_ text: String, produces g: UInt16) {
        pendingMacros.append(InjMacro(pattern: compile(text), produces: g))
    }

    mutating func addRule(_ spec: InjRuleSpec) {
        var p = compile(spec.pattern)
        p.crossComma = spec.crossComma
        p.endClause = spec.endClause
        p.noBlock = spec.noBlock
        rules.append(InjCompiledRule(spec: spec, pattern: p))
    }
}

// MARK: - Annotating and matching

/// A group annotation on a token: the group, how many tokens it spans, the next annotation of
/// the same token (-1 ends the list).
struct InjAnn {
    var group: UInt16
    var len: UInt16
    var next: Int32
}

/// The imperative mood of a verb, judged from what precedes it in its clause.
enum InjMood {
    case imperative      // clause start, after please/now/you must…
    case coordinated     // after "and" / "then": imperative when the first verb was
    case permissive      // after "you can" / "you may": documentation tone
    case descriptive     // after a noun or "I" / "it" / "to" (not "want you to"): a description
}

/// A rule match before weighting.
struct InjCandidate {
    var rule: Int
    var weight: Double
    var first: Int
    var end: Int
    var mood: InjMood
}

/// Per-text state: tokens and their annotations.
struct InjMatcher {
    let model: InjectionModel
    var text: InjNormalizedText
    var head: [Int32]
    var anns: [InjAnn] = []

    init(model: InjectionModel, text: InjNormalizedText) {
        self.model = model
        self.text = text
        self.head = [Int32](repeating: -1, count: text.tokens.count)
        self.anns.reserveCapacity(text.tokens.count + 16)
    }

    @inline(__always) private mutating func add(_ tok: inout InjToken, _ t: Int, _ g: UInt16, _ len: Int = 1) {
        anns.append(InjAnn(group: g, len: UInt16(len), next: head[t]))
        head[t] = Int32(anns.count - 1)
        tok.special |= model.specialBits[Int(g)]
    }

    /// Looks every token up in the lexicon.
    mutating func annotate() {
        var toks = text.tokens
        text.tokens = []
        let m = model
        let exact = m.exact, caps = m.caps, prefix = m.prefix, suffix = m.suffix
        let prefixLengths = m.prefixLengths, suffixLengths = m.suffixLengths
        text.bytes.withUnsafeBufferPointer { bytes in
            for t in 0 ..< toks.count {
                var tok = toks[t]
                for g in exact.find(tok.hash) { add(&tok, t, g) }
                if tok.altHash != 0 { for g in exact.find(tok.altHash) { add(&tok, t, g) } }
                if tok.flags.contains(.allCaps) { for g in caps.find(tok.hash) { add(&tok, t, g) } }
                let len = tok.length
                let base = Int(tok.start)
                if !tok.isCJK && len >= (prefixLengths.first ?? Int.max) {
                    var h = injFNVOffset
                    var k = 0
                    for target in prefixLengths {
                        if target > len { break }
                        while k < target { h = injFNVStep(h, bytes[base + k]); k += 1 }
                        for g in prefix.find(h) { add(&tok, t, g) }
                    }
                }
                if len >= 9 && !tok.isCJK {
                    // Compound nouns: "Sicherheitsrichtlinien" ends in "richtlinien".
                    for l in suffixLengths where l + 3 <= len {
                        var h = injFNVOffset
                        for k in (len - l) ..< len { h = injFNVStep(h, bytes[base + k]) }
                        for g in suffix.find(h) { add(&tok, t, g) }
                    }
                }
                if tok.flags.contains(.url) { add(&tok, t, m.destGroup); add(&tok, t, m.urlGroup) }
                if tok.flags.contains(.dotBefore) && has(t, m.tldGroup) { add(&tok, t, m.destGroup) }
                if tok.flags.contains(.quoteStart) { add(&tok, t, m.quoteStartGroup) }
                if tok.flags.contains(.capitalized) { add(&tok, t, m.capGroup) }
                if tok.flags.contains(.colonAfter) { add(&tok, t, m.colonGroup) }
                toks[t] = tok
            }
        }
        text.tokens = toks
    }

    private func has(_ t: Int, _ g: UInt16) -> Bool {
        var a = head[t]
        while a >= 0 {
            if anns[Int(a)].group == g { return true }
            a = anns[Int(a)].next
        }
        return false
    }

    /// Calls `body` with read-only views of the tokens and annotations.
    private func withEnv<R>(_ body: (InjMatchEnv) -> R) -> R {
        text.tokens.withUnsafeBufferPointer { toks in
            head.withUnsafeBufferPointer { head in
                anns.withUnsafeBufferPointer { anns in
                    body(InjMatchEnv(m: model, toks: toks, head: head, anns: anns))
                }
            }
        }
    }

    /// Runs the macros, level by level; each match annotates its first token with the macro's group.
    mutating func runMacros() {
        for level in model.macroLevels {
            let found: [(Int, UInt16, Int)] = withEnv { env in env.macros(level) }
            if found.isEmpty { continue }
            var toks = text.tokens
            text.tokens = []
            for (t, g, len) in found { add(&toks[t], t, g, len) }
            text.tokens = toks
        }
    }

    func runRules(source: InjectionSource) -> [InjCandidate] {
        withEnv { env in env.rules(source: source) }
    }
}

/// Read-only matching over one text: plain pointers, no reference counting.
struct InjMatchEnv {
    let toks: UnsafeBufferPointer<InjToken>
    let head: UnsafeBufferPointer<Int32>
    let anns: UnsafeBufferPointer<InjAnn>
    let alts: UnsafeBufferPointer<UInt16>
    let slots: UnsafeBufferPointer<InjFlatSlot>
    let patterns: UnsafeBufferPointer<InjFlatPattern>
    let m: InjectionModel

    init(m: InjectionModel, toks: UnsafeBufferPointer<InjToken>, head: UnsafeBufferPointer<Int32>,
         anns: UnsafeBufferPointer<InjAnn>) {
        self.m = m
        self.toks = toks
        self.head = head
        self.anns = anns
        self.alts = m.alts
        self.slots = m.slots
        self.patterns = m.patterns
    }

    @inline(__always) func slotHas(_ s: InjFlatSlot, _ g: UInt16) -> Bool {
        var i = Int(s.altStart)
        let e = i + Int(s.altCount)
        while i < e {
            if alts[i] == g { return true }
            i += 1
        }
        return false
    }

    @inline(__always) func startOK(_ s: InjFlatSlot, _ q: Int) -> Bool {
        if s.flags & InjFlatSlot.clauseStart != 0 && !(q == 0 || toks[q].boundary > 0) { return false }
        return true
    }

    @inline(__always) func endOK(_ s: InjFlatSlot, _ last: Int) -> Bool {
        guard s.flags & InjFlatSlot.colonAfter != 0 else { return true }
        let f = toks[last].flags
        return f.contains(.colonAfter) || (s.flags & InjFlatSlot.commaOK != 0 && f.contains(.commaAfter))
    }

    @inline(__always) func has(_ q: Int, _ g: UInt16) -> Bool {
        var a = Int(head[q])
        while a >= 0 {
            if anns[a].group == g { return true }
            a = Int(anns[a].next)
        }
        return false
    }

    /// Matches the slots of `pat` from slot `k`, starting at token `pos`; returns the token index
    /// after the match.
    func match(_ pat: InjFlatPattern, _ k: Int, _ pos: Int) -> Int? {
        let n = toks.count
        if k == Int(pat.slotCount) {
            if pat.flags & InjFlatPattern.endClause != 0 && pos < n {
                let t = toks[pos]
                if t.boundary == 0 && t.special & (InjSpecialBit.block | InjSpecialBit.coord) == 0 { return nil }
            }
            if pat.notFollowedBy >= 0 && pos < n && has(pos, UInt16(pat.notFollowedBy)) { return nil }
            return pos
        }
        let slot = slots[Int(pat.slotStart) + k]
        let maxB: UInt8 = pat.flags & InjFlatPattern.crossComma != 0 ? 1 : 0
        let noBlock = pat.flags & InjFlatPattern.noBlock != 0
        let budget = Int(slot.maxGap) * 2
        var used = 0
        var q = pos
        while q < n {
            let t = toks[q]
            if t.boundary > maxB { return nil }
            var a = Int(head[q])
            while a >= 0 {
                let ann = anns[a]
                if slotHas(slot, ann.group) && startOK(slot, q) {
                    let l = Int(ann.len)
                    if endOK(slot, q + l - 1)
                        && (slot.flags & InjFlatSlot.imperative == 0 || mood(at: q) != .descriptive) {
                        if let e = match(pat, k + 1, q + l) { return e }
                    }
                }
                a = Int(ann.next)
            }
            if !noBlock && t.special & InjSpecialBit.block != 0 { return nil }
            used += t.isCJK ? 1 : 2
            if used > budget { return nil }
            q += 1
        }
        return nil
    }

    /// The macros of one level: (token, group, span) for each match.
    func macros(_ level: (start: UnsafeBufferPointer<Int32>, list: UnsafeBufferPointer<Int32>)) -> [(Int, UInt16, Int)] {
        var out: [(Int, UInt16, Int)] = []
        for p in 0 ..< toks.count {
            var a = Int(head[p])
            while a >= 0 {
                let ann = anns[a]
                a = Int(ann.next)
                let g = Int(ann.group)
                var i = Int(level.start[g])
                let e = Int(level.start[g + 1])
                while i < e {
                    let mi = Int(level.list[i])
                    i += 1
                    let pat = patterns[Int(m.macroPattern[mi])]
                    let s0 = slots[Int(pat.slotStart)]
                    if !startOK(s0, p) || !endOK(s0, p + Int(ann.len) - 1) { continue }
                    if let end = match(pat, 1, p + Int(ann.len)) { out.append((p, m.macroProduces[mi], end - p)) }
                }
            }
        }
        return out
    }

    func rules(source: InjectionSource) -> [InjCandidate] {
        var out: [InjCandidate] = []
        let n = toks.count
        let rules = m.rules
        for p in 0 ..< n {
            var a = Int(head[p])
            while a >= 0 {
                let ann = anns[a]
                a = Int(ann.next)
                let g = Int(ann.group)
                let l = Int(ann.len)
                var i = Int(m.ruleStart[g])
                let e = Int(m.ruleStart[g + 1])
                while i < e {
                    let ri = Int(m.ruleList[i])
                    i += 1
                    let pat = patterns[Int(m.rulePattern[ri])]
                    let s0 = slots[Int(pat.slotStart)]
                    if !startOK(s0, p) || !endOK(s0, p + l - 1) { continue }
                    guard let end = match(pat, 1, p + l) else { continue }
                    let spec = rules[ri]
                    if spec.commentOnly && !toks[p].flags.contains(.inComment) { continue }
                    if spec.negatable {
                        if negatedBefore(p) { continue }
                        if p + l < n && toks[p + l].special & InjSpecialBit.negPost != 0 { continue }
                    }
                    var verbLastDescriptive = false
                    if spec.negatedBeforeLast && end >= 2 {
                        if toks[end - 2].special & InjSpecialBit.neg != 0 { continue }
                        verbLastDescriptive = toks[end - 2].special & InjSpecialBit.infMark != 0
                            || (end >= 3 && toks[end - 3].special & InjSpecialBit.infMark != 0)
                            || (end < n && toks[end].special & InjSpecialBit.infPost != 0)
                    }
                    var seen = false
                    var k = out.count - 1
                    while k >= 0 && out[k].first == p {
                        if out[k].rule == ri { seen = true; break }
                        k -= 1
                    }
                    if seen { continue }
                    var w = source == .question ? spec.question : spec.document
                    var md = InjMood.imperative
                    if verbLastDescriptive {
                        md = .descriptive
                        w *= 0.5
                    } else if s0.flags & InjFlatSlot.imperative != 0 {
                        md = mood(at: p)
                        switch md {
                        case .imperative, .coordinated: break
                        case .permissive: w *= 0.5
                        case .descriptive: w *= 0.5
                        }
                    }
                    out.append(InjCandidate(rule: ri, weight: w, first: p, end: end, mood: md))
                }
            }
        }
        return out
    }

    /// Whether the verb at `p` reads as an order to the reader.
    func mood(at p: Int) -> InjMood {
        var i = p
        var permissive = false
        var steps = 0
        while steps < 6 {
            if i == 0 || toks[i].boundary > 0 { return permissive ? .permissive : .imperative }
            let j = i - 1
            let bits = toks[j].special
            if bits & InjSpecialBit.you != 0 {
                // "you must ignore", "can you ignore", "now you ignore"; not "let me help you write".
                let ok = InjSpecialBit.impOK | InjSpecialBit.modal | InjSpecialBit.coord | InjSpecialBit.you
                if j == 0 || toks[j].boundary > 0 || toks[j - 1].special & ok != 0 {
                    return permissive ? .permissive : .imperative
                }
                return .descriptive
            }
            if bits & InjSpecialBit.addressee != 0 {
                // "AI assistants must…" or "Assistant, …" addresses the model; "the assistant must…" describes it.
                if j == 0 || toks[j].boundary > 0 || toks[j - 1].special & InjSpecialBit.anyAll != 0
                    || toks[j - 1].special & InjSpecialBit.addressee != 0 && (j - 1 == 0 || toks[j - 1].boundary > 0) {
                    return .imperative
                }
                return .descriptive
            }
            if bits & InjSpecialBit.coord != 0 { return .coordinated }
            if bits & InjSpecialBit.modal != 0 {
                if bits & InjSpecialBit.permissive != 0 { permissive = true }
                i = j; steps += 1; continue
            }
            if bits & InjSpecialBit.impOK != 0 { i = j; steps += 1; continue }
            if bits & InjSpecialBit.to != 0 {
                // "I want you to ignore…", "your task is to ignore…", "you have to ignore…" order;
                // "how to", "the model to" describe.
                if j == 0 || toks[j].boundary > 0 { return .descriptive }
                let b2 = toks[j - 1].special
                if b2 & (InjSpecialBit.you | InjSpecialBit.copula | InjSpecialBit.license) != 0 { return .imperative }
                if b2 & InjSpecialBit.modal != 0 { i = j - 1; steps += 1; continue }
                return .descriptive
            }
            return .descriptive
        }
        return .descriptive
    }

    /// A negation just before `p` in its clause ("do not ignore", "never reveal", "n'ignore pas").
    func negatedBefore(_ p: Int) -> Bool {
        var i = p
        var steps = 0
        while i > 0 && toks[i].boundary == 0 && steps < 3 {
            i -= 1
            steps += 1
            if toks[i].special & InjSpecialBit.neg != 0 { return true }
        }
        return false
    }
}
