/// What an injection attempt tries to do.
public enum InjectionCategory: String, CaseIterable, Sendable, Codable {
    /// Ignore, disregard or forget the previous instructions or rules.
    case overrideInstructions = "override_instructions"
    /// Reveal the system prompt, the hidden instructions or the text that came before.
    case revealPrompt = "reveal_prompt"
    /// "You are now X", act as an unrestricted AI, developer mode, DAN, jailbreaks.
    case roleChange = "role_change"
    /// Text in a document addressed to the AI, assistant, model or LLM that reads it, telling it
    /// what to answer or do (indirect injection).
    case modelDirective = "model_directive"
    /// Send or include the conversation, secrets or data through a link, URL, image or markdown.
    case exfiltration
    /// Fake role markers: "### system:", "</system>", "[INST]", "<|im_start|>system", "BEGIN SYSTEM PROMPT".
    case fakeDelimiter = "fake_delimiter"
}

/// Where the text comes from: the user's question, or a retrieved or ingested document.
public enum InjectionSource: String, Sendable {
    case question, document
}

/// One piece of evidence: a rule that matched.
public struct InjectionSignal: Sendable, Equatable {
    /// What the matched text tries to do.
    public var category: InjectionCategory
    /// A stable rule id, e.g. "override.ignore_previous_instructions".
    public var rule: String
    /// Contribution to the score, in 0...1, after the context adjustments (a description rather
    /// than an order, a quotation in a text about injection).
    public var weight: Double
    /// Where in the original text (UTF-8 byte offsets), when known.
    public var utf8Range: Range<Int>?

    public init(category: InjectionCategory, rule: String, weight: Double, utf8Range: Range<Int>? = nil) {
        self.category = category
        self.rule = rule
        self.weight = weight
        self.utf8Range = utf8Range
    }
}

/// The verdict on one text.
public struct InjectionAssessment: Sendable, Equatable {
    /// 0 (nothing) ... 1 (certain): combined from the signals, see ``InjectionDetector``.
    /// The pipeline treats `score >= 0.5` as an injection by default.
    public var score: Double
    /// The signals, in text order (overlapping signals of one category reduced to the strongest).
    public var signals: [InjectionSignal]
    /// The categories of the signals.
    public var categories: Set<InjectionCategory> { Set(signals.map(\.category)) }

    public init(score: Double, signals: [InjectionSignal]) {
        self.score = score
        self.signals = signals
    }

    /// Nothing found.
    public static let none = InjectionAssessment(score: 0, signals: [])
}

/// A rule-based prompt-injection detector for questions and retrieved documents: no model, no
/// regular expressions, a few microseconds per 100 bytes (about 60 µs for 2 KB in a release build).
///
/// The text is normalised once into word tokens: lower-cased, diacritics folded, full-width and
/// "fancy" letters, zero-width and Unicode tag characters, leetspeak (`1gn0re`), s p a c e d,
/// camelCased and glued words undone, CJK text segmented with the lexicon. Phrase rules in ten
/// languages (English, French, German, Spanish, Italian, Portuguese, Dutch, Russian, Chinese,
/// Japanese) match over the tokens, and a byte scan finds fake role markers (`<|im_start|>`,
/// `[INST]`, `</system>`, `### System:`) and images that carry data out. A rule needs the
/// combination that makes an order to the model, such as an override verb and the model's
/// instructions ("ignore all previous instructions"), not either alone ("ignore a file in git",
/// "override a CSS rule").
///
/// **Scoring.** Each rule has a weight for a question and one for a document (0.8 for
/// "ignore all previous instructions", 0.3 for a lone "DAN"). An order counts in full; the weight
/// is halved when the verb is not in imperative position ("how do I make it ignore…", "the model
/// will ignore…") or follows "you can". Overlapping signals of one category keep the strongest,
/// each rule counts once (its strongest match), and the score is `1 - Π(1 - wᵢ)` over the rules,
/// so two weak signals add up. Text *about* injection is recognised by words such as "attack",
/// "injection", "example": there a quoted attempt (or one after "such as") is halved, a
/// description scaled by 0.8 and a role marker by 0.6, and these asides do not add up. The score
/// is `max(1 - Π(1 - wᵢ) over the other signals, the strongest aside)`. A quotation introduced by
/// "says", "writes", "like"… is an aside in any text.
public struct InjectionDetector: Sendable {
    private let model: InjectionModel

    /// A detector; the lexicon and rules are compiled once per process and shared.
    public init() {
        self.model = InjectionModel.shared
    }

    /// Assesses `text`, which came from `source`.
    public func assess(_ text: String, source: InjectionSource) -> InjectionAssessment {
        guard !text.isEmpty else { return .none }
        var best = assessOnce(text, source: source)
        // Encoded payloads: HTML entities, URL-encoding, base64 runs and rot13 are decoded and the
        // decoded text is scored too (one level; the stronger verdict wins).
        if best.score < 0.5, let decoded = InjDecoder.decodedVariant(text) {
            let d = assessOnce(decoded, source: source)
            if d.score > best.score {
                best = InjectionAssessment(score: d.score, signals: d.signals.map {
                    InjectionSignal(category: $0.category, rule: "decoded." + $0.rule, weight: $0.weight, utf8Range: nil)
                })
            }
        }
        return best
    }

    private func assessOnce(_ text: String, source: InjectionSource) -> InjectionAssessment {
        guard !text.isEmpty else { return .none }
        var normalized = InjTokenizer.tokenize(text)
        let normalizedTagCharacters = normalized.tagCharacters
        model.refine(&normalized)
        var matcher = InjMatcher(model: model, text: normalized)
        matcher.annotate()
        matcher.runMacros()
        let candidates = matcher.runRules(source: source)
        let raw = InjDelimiterScanner.scan(text, source: source)
        let toks = matcher.text.tokens

        var metaCount = 0
        var urlTemplates: [Int] = []
        for (k, t) in toks.enumerated() {
            if t.special & InjSpecialBit.meta != 0 && !t.flags.contains(.dotBefore) { metaCount += 1 }
            if t.flags.contains(.urlTemplate) { urlTemplates.append(k) }
        }
        let discussion = metaCount >= 2

        var found: [Found] = []
        found.reserveCapacity(min(candidates.count + raw.count + 1, 256))
        var commentRange: Range<Int>? = nil
        // A long text may repeat a phrase thousands of times: the first matches of a rule suffice.
        var perRule = [UInt8](repeating: 0, count: model.rules.count)
        for c in candidates {
            if perRule[c.rule] >= 8 { continue }
            perRule[c.rule] += 1
            let rule = model.rules[c.rule]
            var w = c.weight
            var dampened = false
            let quoted = toks[c.first].flags.contains(.inQuote)
            // An order: a verb in imperative position, or a directive that opens its clause
            // ("Note to AI: …"), as opposed to a description or a noun phrase.
            let opensClause = c.first == 0 || toks[c.first].boundary > 0
            let order = c.mood == .imperative
                && (model.ruleIsOrder[c.rule] || (rule.category == .modelDirective && opensClause))
            if (quoted && (metaCount >= 1 || reportedSpeech(toks, c.first)))
                || (metaCount >= 1 && exampleMarkerBefore(toks, c.first)) {
                w *= 0.5
                dampened = true
            } else if discussion && !order {
                // In a text about injection, a description or a noun phrase ("an AI without
                // restrictions") is talk about an attempt rather than one.
                w *= 0.8
                dampened = true
            }
            guard w > 0 else { continue }
            let range = Int(toks[c.first].origStart) ..< Int(toks[c.end - 1].origEnd)
            found.append(Found(category: rule.category, rule: rule.id, weight: w, range: range, dampened: dampened,
                               additive: rule.additive))
            if toks[c.first].flags.contains(.inComment) && !rule.commentOnly && !dampened && commentRange == nil {
                commentRange = range
            }
        }
        for r in raw.prefix(64) {
            // A marker or an image in a text about injection is more likely an example.
            let aside = metaCount >= 1
            found.append(Found(category: r.category, rule: r.rule, weight: aside ? r.weight * 0.6 : r.weight,
                               range: r.range, dampened: aside))
        }
        for k in urlTemplates.prefix(8) {
            found.append(Found(category: .exfiltration, rule: "exfil.url_placeholder", weight: 0.4,
                               range: Int(toks[k].origStart) ..< Int(toks[k].origEnd), dampened: discussion))
        }
        if normalizedTagCharacters >= 8 {
            found.append(Found(category: .modelDirective, rule: "directive.invisible_text", weight: 0.35,
                               range: 0 ..< text.utf8.count, dampened: false, additive: true))
        }
        if let commentRange {
            found.append(Found(category: .modelDirective, rule: "directive.html_comment", weight: 0.3,
                               range: commentRange, dampened: false, additive: true))
        }
        return combine(found)
    }

    /// A signal before reduction.
    private struct Found {
        var category: InjectionCategory
        var rule: String
        var weight: Double
        var range: Range<Int>
        var dampened: Bool
        var additive = false
    }

    /// A quotation introduced by a reporting word ("might say: \"…\"", "such as \"…\"").
    private func reportedSpeech(_ toks: [InjToken], _ p: Int) -> Bool {
        var q = p
        while q > 0 && toks[q].flags.contains(.inQuote) && !toks[q].flags.contains(.quoteStart) { q -= 1 }
        var i = q
        var steps = 0
        while i > 0 && steps < 4 {
            i -= 1
            steps += 1
            if toks[i].special & (InjSpecialBit.report | InjSpecialBit.exMark) != 0 { return true }
            if toks[i].boundary >= 2 { return false }
        }
        return false
    }

    /// "such as", "e.g.", "for example" earlier in the same sentence.
    private func exampleMarkerBefore(_ toks: [InjToken], _ p: Int) -> Bool {
        var i = p
        var steps = 0
        while i > 0 && steps < 24 {
            if toks[i].boundary >= 2 { return false }
            i -= 1
            steps += 1
            if toks[i].special & InjSpecialBit.exMark != 0 { return true }
        }
        return false
    }

    private func combine(_ found: [Found]) -> InjectionAssessment {
        guard !found.isEmpty else { return .none }
        // Overlapping signals of one category keep the strongest.
        let ordered = found.sorted { a, b in
            a.weight != b.weight ? a.weight > b.weight : a.range.lowerBound < b.range.lowerBound
        }
        var kept: [Found] = []
        for f in ordered where f.additive
            || !kept.contains(where: { !$0.additive && $0.category == f.category && $0.range.overlaps(f.range) }) {
            kept.append(f)
        }
        // Each rule counts once, with its strongest match.
        var strongest: [String: Found] = [:]
        for f in kept {
            guard let s = strongest[f.rule] else { strongest[f.rule] = f; continue }
            if s.dampened != f.dampened {
                if s.dampened { strongest[f.rule] = f }
            } else if f.weight > s.weight {
                strongest[f.rule] = f
            }
        }
        var rest = 1.0
        var floor = 0.0
        for f in strongest.values {
            if f.dampened { floor = max(floor, f.weight) } else { rest *= 1 - min(max(f.weight, 0), 1) }
        }
        let score = max(1 - rest, floor)
        let signals = kept.sorted { $0.range.lowerBound < $1.range.lowerBound }.prefix(64).map {
            InjectionSignal(category: $0.category, rule: $0.rule, weight: $0.weight, utf8Range: $0.range)
        }
        return InjectionAssessment(score: min(1, max(0, score)), signals: Array(signals))
    }
}
