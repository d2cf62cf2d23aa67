import Foundation
import LoreCore

/// Every guardrail rule's action and threshold: the `guardrails:` section of Lore's
/// configuration. Every rule has an action, and `off` switches it off; missing keys keep
/// the defaults below, which are on (safe by default).
///
/// ```yaml
/// guardrails:
///   enabled: true
///   audit: true
///   input:
///     max_question_chars: 4000
///     pii: { action: redact }            # redact | block | flag | off
///     injection: { action: block, categories: { instructions: flag } }  # block | flag | allow | off; threshold: the classifier's
///     deny: { action: block, patterns: ["internal roadmap", "salary of *"] }
///   context:
///     injection: { action: drop }                    # drop | quarantine | flag | off
///     scan_at_ingest: true
///     scan_windows: true                             # also each chunk's sentences (a second embedding pass at ingest)
///   output:
///     pii: { action: redact }                        # redact | flag | off
///     invalid_citations: { action: remove }          # remove | flag | off
///     missing_citations: { action: flag }            # flag | refuse | off
///     unsupported: { action: flag, threshold: 0.2 }  # flag | off
///     insufficient_context: { action: refuse }       # refuse | off
/// ```
public struct GuardrailPolicy: Sendable, Codable, Equatable {
    /// What a rule does when it fires.
    public enum Action: String, Sendable, Codable, CaseIterable {
        case off, allow, flag, block, redact, drop, quarantine, remove, refuse

        /// How much the action stops: off/allow < flag < the rest.
        var severity: Int { self == .off || self == .allow ? 0 : self == .flag ? 1 : 2 }
    }

    /// One rule: its action, and for scored rules the score at which it fires.
    public struct Rule: Sendable, Codable, Equatable {
        public var action: Action
        public var threshold: Double?
        /// For the injection rules: an action per category of signal (`instructions`, the
        /// classifier; `fake_delimiter`, `hidden_text`, `exfiltration`, `encoded`) overriding
        /// `action`; when signals of several categories reach the threshold, the strictest of
        /// their actions applies.
        public var categories: [String: Action]?

        public init(_ action: Action, threshold: Double? = nil, categories: [String: Action]? = nil) {
            self.action = action
            self.threshold = threshold
            self.categories = categories
        }

        /// `allow` and `off` both let everything through.
        public var isOn: Bool { action.severity > 0 || (categories?.values.contains { $0.severity > 0 } ?? false) }

        /// The action for a finding of these categories.
        public func action(for found: [String]) -> Action {
            guard let categories, !found.isEmpty else { return action }
            return found.map { categories[$0] ?? action }.max { $0.severity < $1.severity } ?? action
        }
    }

    /// The deny-list: case-insensitive phrases (`*` matches any run of characters within
    /// the question) that a question may not contain.
    public struct Deny: Sendable, Codable, Equatable {
        public var action: Action
        public var patterns: [String]

        public init(action: Action = .block, patterns: [String] = []) {
            self.action = action
            self.patterns = patterns
        }

        enum CodingKeys: String, CodingKey { case action, patterns }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            action = try c.decodeIfPresent(Action.self, forKey: .action) ?? .block
            patterns = try c.decodeIfPresent([String].self, forKey: .patterns) ?? []
        }
    }

    public struct Input: Sendable, Codable, Equatable {
        /// Longer questions are blocked; 0 switches the limit off.
        public var maxQuestionChars = 4_000
        public var pii = Rule(.redact)
        /// Structural findings block; the classifier's alone only flag (logged, counted and
        /// audited), because on questions nobody wrote as attacks it still fires too often to
        /// refuse on (docs/BENCHMARKS.md, issue 18): `categories: {instructions: block}` blocks.
        public var injection = Rule(.block, categories: ["instructions": .flag])
        public var deny = Deny()

        public init() {}

        enum CodingKeys: String, CodingKey { case maxQuestionChars = "max_question_chars", pii, injection, deny }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Input()
            maxQuestionChars = try c.decodeIfPresent(Int.self, forKey: .maxQuestionChars) ?? d.maxQuestionChars
            pii = try c.decodeIfPresent(Rule.self, forKey: .pii) ?? d.pii
            injection = try c.decodeIfPresent(Rule.self, forKey: .injection) ?? d.injection
            deny = try c.decodeIfPresent(Deny.self, forKey: .deny) ?? d.deny
        }
    }

    public struct Context: Sendable, Codable, Equatable {
        public var injection = Rule(.drop)
        /// Scan every chunk at ingest and mark the flagged ones in the store.
        public var scanAtIngest = true
        /// The scan also classifies each chunk's windows (``InjectionWindows``), which finds an
        /// instruction planted in a paragraph, at the cost of embedding the text a second time.
        public var scanWindows = true

        public init() {}

        enum CodingKeys: String, CodingKey { case injection, scanAtIngest = "scan_at_ingest", scanWindows = "scan_windows" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Context()
            injection = try c.decodeIfPresent(Rule.self, forKey: .injection) ?? d.injection
            scanAtIngest = try c.decodeIfPresent(Bool.self, forKey: .scanAtIngest) ?? d.scanAtIngest
            scanWindows = try c.decodeIfPresent(Bool.self, forKey: .scanWindows) ?? d.scanWindows
        }
    }

    public struct Output: Sendable, Codable, Equatable {
        public var pii = Rule(.redact)
        public var invalidCitations = Rule(.remove)
        public var missingCitations = Rule(.flag)
        /// Fires when a cited sentence shares less than `threshold` of its content words
        /// with every source it cites.
        public var unsupported = Rule(.flag, threshold: 0.2)
        public var insufficientContext = Rule(.refuse)

        public init() {}

        enum CodingKeys: String, CodingKey {
            case pii, invalidCitations = "invalid_citations", missingCitations = "missing_citations", unsupported
            case insufficientContext = "insufficient_context"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Output()
            pii = try c.decodeIfPresent(Rule.self, forKey: .pii) ?? d.pii
            invalidCitations = try c.decodeIfPresent(Rule.self, forKey: .invalidCitations) ?? d.invalidCitations
            missingCitations = try c.decodeIfPresent(Rule.self, forKey: .missingCitations) ?? d.missingCitations
            unsupported = try c.decodeIfPresent(Rule.self, forKey: .unsupported) ?? d.unsupported
            insufficientContext = try c.decodeIfPresent(Rule.self, forKey: .insufficientContext) ?? d.insufficientContext
        }
    }

    /// false switches every guardrail off at once.
    public var enabled = true
    /// Write every finding to the store's audit table (it always goes to the log and metrics).
    public var audit = true
    public var input = Input()
    public var context = Context()
    public var output = Output()
    /// The injection classifier's weights (`guardrails.injection_model`): a file written by
    /// `scripts/train-guard`; nil uses the classifier compiled into the binary.
    public var injectionModel: String?

    public init() {}

    enum CodingKeys: String, CodingKey { case enabled, audit, input, context, output, injectionModel = "injection_model" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GuardrailPolicy()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        audit = try c.decodeIfPresent(Bool.self, forKey: .audit) ?? d.audit
        input = try c.decodeIfPresent(Input.self, forKey: .input) ?? d.input
        context = try c.decodeIfPresent(Context.self, forKey: .context) ?? d.context
        output = try c.decodeIfPresent(Output.self, forKey: .output) ?? d.output
        injectionModel = try c.decodeIfPresent(String.self, forKey: .injectionModel)
    }

    /// The injection classifier the policy names (the bundled one by default).
    /// - Throws: `GuardrailError` naming `guardrails.injection_model` and the file's problem.
    public func classifier() throws -> InjectionClassifier {
        guard let path = injectionModel, !path.isEmpty else { return .bundled }
        do { return try InjectionClassifier(path: path) } catch {
            throw GuardrailError("guardrails.injection_model: \(error)")
        }
    }

    /// The injection detector over `embedder`'s vectors, as every caller builds it.
    public func injectionDetector(embedder: (any Embedder)?) throws -> InjectionDetector {
        InjectionDetector(classifier: try classifier(), embedder: embedder)
    }

    /// Checks every rule's action is one it can take and every threshold is in range;
    /// the error names the key.
    public func validate() throws {
        func check(_ key: String, _ rule: Rule, _ allowed: [Action], thresholdRange: ClosedRange<Double>? = nil) throws {
            guard allowed.contains(rule.action) else {
                throw GuardrailError(
                    "guardrails.\(key).action must be one of \(allowed.map(\.rawValue).joined(separator: ", ")), not \(rule.action.rawValue)"
                )
            }
            for (category, action) in rule.categories ?? [:] {
                guard InjectionCategory(rawValue: category) != nil else {
                    throw GuardrailError(
                        "guardrails.\(key).categories: unknown category \(category) (known: \(InjectionCategory.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                guard allowed.contains(action) else {
                    throw GuardrailError(
                        "guardrails.\(key).categories.\(category) must be one of \(allowed.map(\.rawValue).joined(separator: ", ")), not \(action.rawValue)"
                    )
                }
            }
            if let t = rule.threshold, let r = thresholdRange, !r.contains(t) {
                throw GuardrailError("guardrails.\(key).threshold must be between \(r.lowerBound) and \(r.upperBound), not \(t)")
            }
        }
        guard input.maxQuestionChars >= 0 else {
            throw GuardrailError("guardrails.input.max_question_chars must be 0 (off) or more, not \(input.maxQuestionChars)")
        }
        try check("input.pii", input.pii, [.redact, .block, .flag, .off])
        try check("input.injection", input.injection, [.block, .flag, .allow, .off], thresholdRange: 0...1)
        guard [.block, .flag, .off].contains(input.deny.action) else {
            throw GuardrailError("guardrails.input.deny.action must be one of block, flag, off, not \(input.deny.action.rawValue)")
        }
        for (i, p) in input.deny.patterns.enumerated()
        where p.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "*", with: "").isEmpty {
            throw GuardrailError("guardrails.input.deny.patterns[\(i)] is empty")
        }
        try check("context.injection", context.injection, [.drop, .quarantine, .flag, .allow, .off], thresholdRange: 0...1)
        try check("output.pii", output.pii, [.redact, .flag, .off])
        try check("output.invalid_citations", output.invalidCitations, [.remove, .flag, .off])
        try check("output.missing_citations", output.missingCitations, [.flag, .refuse, .off])
        try check("output.unsupported", output.unsupported, [.flag, .off], thresholdRange: 0...1)
        try check("output.insufficient_context", output.insufficientContext, [.refuse, .off])
    }
}

/// A guardrail configuration, evaluation or scan error.
public struct GuardrailError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
