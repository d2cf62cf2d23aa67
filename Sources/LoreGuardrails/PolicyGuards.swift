import Foundation
import Logging
import LoreCore
import LoreQuery
import LoreRetrieval
import LoreStore
import Metrics

/// Lore's guardrails at the query pipeline's three hook points, as the policy says:
/// - input: the question's length, the deny-list, and personal data and secrets (redacted
///   from the question and the conversation before anything is sent on), then prompt
///   injection on the redacted question and its embedding (`checkQuestion`);
/// - context: retrieved passages that carry instructions aimed at the model are withheld;
/// - output: personal data redacted and invented citations removed as the answer streams,
///   then the answer without any citation, the unsupported cited sentences, and the refusal
///   when the context is insufficient.
/// Every finding goes to the log, to the `lore_guardrail_findings_total` metric and to the
/// audit trail (never with the raw personal data: a redacted excerpt and a hash).
public final class PolicyGuards: QueryGuards, @unchecked Sendable {
    public let policy: GuardrailPolicy
    let pii: PIIDetector
    /// The injection detector (learned classifier and structural checks).
    public let injection: InjectionDetector
    let deny: DenyList
    let citations: CitationChecker
    let audit: (any AuditSink)?
    let scans: StoredScans?
    let logger: Logger

    /// - Parameters:
    ///   - embedder: the query embedder; the injection classifier reads its vectors (the
    ///     question's, computed once by the pipeline, and the retrieved chunks' stored ones)
    ///     and embeds hidden or decoded text with it. Without one, or with another model
    ///     than the classifier's, only the structural injection checks run.
    ///   - classifier: the injection classifier (the bundled one by default).
    ///   - scans: the ingest-time scan's outcomes: a retrieved chunk whose windows it flagged
    ///     is treated as flagged (without them only the whole passage is classified).
    public init(
        policy: GuardrailPolicy, embedder: (any Embedder)? = nil, classifier: InjectionClassifier? = .bundled,
        audit: (any AuditSink)? = nil, scans: StoredScans? = nil, logger: Logger = Logger(label: "lore.guardrails")
    ) {
        self.policy = policy
        self.pii = PIIDetector()
        self.injection = InjectionDetector(classifier: classifier, embedder: embedder)
        if embedder != nil, classifier != nil, !injection.learned {
            logger.warning(
                "the injection classifier reads all-MiniLM-L6-v2 vectors; this embedder's differ, so only the structural injection checks run"
            )
        }
        self.deny = DenyList(policy.input.deny.patterns)
        self.citations = CitationChecker(unsupportedThreshold: policy.output.unsupported.threshold ?? 0.2)
        self.audit = audit
        self.scans = scans
        self.logger = logger
    }

    // MARK: Input

    public func checkInput(_ question: String, history: [ChatMessage], context: GuardContext) async -> InputVerdict {
        guard policy.enabled else { return InputVerdict(question: question) }
        let p = policy.input
        var findings: [Recorded] = []
        // Redacted first: every excerpt below is made from the redacted text.
        let (redacted, matches) = pii.redact(question)
        let excerpt = Self.excerpt(redacted)
        var blocked: String? = nil

        if p.maxQuestionChars > 0, question.count > p.maxQuestionChars {
            findings.append(
                Recorded(
                    GuardFinding(
                        stage: "input", rule: "input.max_length", action: .block,
                        detail: "\(question.count) characters; the limit is \(p.maxQuestionChars)"), excerpt: excerpt))
            blocked = "The question is too long (\(question.count) characters; the limit is \(p.maxQuestionChars))."
        }
        if p.deny.action != .off {
            for pattern in deny.matches(redacted) {
                let action: GuardFinding.Action = p.deny.action == .block ? .block : .flag
                findings.append(
                    Recorded(
                        GuardFinding(
                            stage: "input", rule: "input.deny", action: action,
                            detail: "matches the deny-list pattern \"\(pattern)\""), excerpt: excerpt))
                if action == .block, blocked == nil { blocked = "This question is about a topic this service does not answer." }
            }
        }
        var outQuestion = question
        var outHistory: [ChatMessage]? = nil
        if p.pii.isOn {
            let fromHistory = history.map { pii.redact($0.content) }
            let action: GuardFinding.Action = p.pii.action == .redact ? .redact : p.pii.action == .block ? .block : .flag
            findings += Self.piiFindings(
                [(question, matches)] + zip(history, fromHistory).map { ($0.content, $1.matches) },
                stage: "input", action: action, excerpt: excerpt)
            if !matches.isEmpty || fromHistory.contains(where: { !$0.matches.isEmpty }) {
                switch p.pii.action {
                case .redact:
                    outQuestion = redacted
                    outHistory = zip(history, fromHistory).map { ChatMessage($0.role, $1.text) }
                case .block where blocked == nil:
                    blocked = "The question contains personal data or a secret, so it was not sent on. Remove it and ask again."
                default: break
                }
            }
        }
        record(findings, context)
        return InputVerdict(question: outQuestion, blockedAnswer: blocked, findings: findings.map(\.finding), history: outHistory)
    }

    // MARK: The question's embedding

    /// The injection check needs the question's embedding when the classifier runs.
    public var wantsQuestionVector: Bool { policy.enabled && policy.input.injection.isOn && injection.learned }

    /// The injection check on the (redacted) question, with its embedding when the pipeline
    /// computed one: the classifier and the structural checks.
    public func checkQuestion(_ question: String, vector: [Float]?, context: GuardContext) async -> InputVerdict {
        let p = policy.input
        guard policy.enabled, p.injection.isOn else { return InputVerdict(question: question) }
        let a = await injection.assess(question, vector: vector, source: .question)
        let threshold = p.injection.threshold ?? injection.threshold
        let ruleAction = p.injection.action(for: a.categories(atLeast: threshold))
        guard a.score >= threshold, ruleAction.severity > 0 else { return InputVerdict(question: question) }
        let action: GuardFinding.Action = ruleAction == .block ? .block : .flag
        let finding = Recorded(
            GuardFinding(
                stage: "input", rule: "input.injection", action: action,
                detail: Self.describe(a), score: a.score), excerpt: Self.excerpt(question))
        record([finding], context)
        return InputVerdict(
            question: question,
            blockedAnswer: action == .block
                ? "This question looks like an attempt to change how the assistant works, so it was not answered." : nil,
            findings: [finding.finding])
    }

    // MARK: Context

    public func checkContext(_ passages: [Passage], context: GuardContext) async -> ContextVerdict {
        let rule = policy.context.injection
        guard policy.enabled, rule.isOn else { return ContextVerdict(passages: passages) }
        var kept: [Passage] = []
        var findings: [Recorded] = []
        let threshold = rule.threshold ?? injection.threshold
        // Chunks whose windows the ingest-time scan flagged (this detector's outcomes only).
        let windowFlags = Dictionary(
            (scans?.outcomes(passages.flatMap(\.chunkIDs), detector: injection.scanVersion) ?? [])
                .filter { $0.flagged && $0.rules.split(separator: ",").contains("window.classifier") }.map { ($0.chunkID, $0.score) },
            uniquingKeysWith: max)
        for passage in passages {
            var a = await injection.assess(passage.text, vector: passage.vector, source: .document)
            if let w = passage.chunkIDs.compactMap({ windowFlags[$0] }).max() {
                a.signals.append(InjectionSignal(category: .instructions, rule: "window.classifier", weight: w))
                a.score = max(a.score, w)
            }
            let ruleAction = rule.action(for: a.categories(atLeast: threshold))
            guard a.score >= threshold, ruleAction.severity > 0 else { kept.append(passage); continue }
            let action: GuardFinding.Action = ruleAction == .flag ? .flag : .drop
            findings.append(
                Recorded(
                    GuardFinding(
                        stage: "context", rule: "context.injection", action: action,
                        detail:
                            "\(ruleAction == .quarantine ? "quarantined" : ruleAction == .drop ? "withheld" : "flagged") \(passage.source) chunk \(passage.chunkIDs.map(String.init).joined(separator: ",")): \(Self.describe(a))",
                        score: a.score), excerpt: Self.excerpt(pii.redact(passage.text).text)))
            if action == .flag { kept.append(passage) }
            if ruleAction == .quarantine {
                audit?.quarantine(
                    passage.chunkIDs.map {
                        ChunkScan(
                            chunkID: $0, flagged: true, score: a.score,
                            rules: Array(Set(a.signals.map(\.rule))).sorted().joined(separator: ","))
                    }, detector: injection.scanVersion)
            }
        }
        record(findings, context)
        return ContextVerdict(passages: kept, withheld: passages.count - kept.count, findings: findings.map(\.finding))
    }

    // MARK: Output

    public func outputFilter(sources: [ContextSource], context: GuardContext) -> (any OutputStreamFilter)? {
        guard policy.enabled else { return nil }
        let redact = policy.output.pii.action == .redact
        let remove = policy.output.invalidCitations.action == .remove
        guard redact || remove else { return nil }
        return GuardedOutputFilter(pii: redact ? pii : nil, validCitations: remove ? Set(sources.map(\.number)) : nil)
    }

    public func checkOutput(_ answer: String, sources: [ContextSource], sufficientContext: Bool, context: GuardContext) async
        -> OutputVerdict
    {
        guard policy.enabled else { return OutputVerdict(answer: answer) }
        let p = policy.output
        var text = answer
        var findings: [Recorded] = []

        if !sufficientContext, p.insufficientContext.isOn {
            // Whatever a model said, the answer is the refusal with the nearest sources.
            if !Refusal.isRefusal(text) {
                text = Refusal.text(nearest: sources)
                findings.append(
                    Recorded(
                        GuardFinding(
                            stage: "output", rule: "output.insufficient_context", action: .replace,
                            detail: "the context is insufficient: answered with the refusal"), excerpt: ""))
            }
            record(findings, context)
            return OutputVerdict(answer: text, findings: findings.map(\.finding))
        }
        // What the stream filter did not see (or a policy that only flags).
        if p.pii.isOn {
            let (redacted, matches) = pii.redact(text)
            findings += Self.piiFindings(
                [(text, matches)], stage: "output", action: p.pii.action == .redact ? .redact : .flag,
                excerpt: Self.excerpt(redacted))
            if p.pii.action == .redact { text = redacted }
        }
        let valid = Set(sources.map(\.number))
        if p.invalidCitations.isOn {
            let (cleaned, removed) = CitationChecker.removeInvalid(text, valid: valid)
            if !removed.isEmpty {
                let action: GuardFinding.Action = p.invalidCitations.action == .remove ? .remove : .flag
                findings.append(
                    Recorded(
                        GuardFinding(
                            stage: "output", rule: "output.invalid_citation", action: action,
                            detail:
                                "citation\(removed.count == 1 ? "" : "s") \(removed.map { "[\($0)]" }.joined(separator: ", ")): no such source was given"
                        ),
                        excerpt: Self.excerpt(text)))
                if action == .remove { text = cleaned }
            }
        }
        let isRefusal = Refusal.isRefusal(text)
        if p.missingCitations.isOn, !sources.isEmpty, !isRefusal, QueryService.citedNumbers(text).intersection(valid).isEmpty {
            if p.missingCitations.action == .refuse {
                findings.append(
                    Recorded(
                        GuardFinding(
                            stage: "output", rule: "output.missing_citation", action: .replace,
                            detail: "the answer cites no source: replaced with the refusal"), excerpt: Self.excerpt(text)))
                text = Refusal.text(nearest: sources)
            } else {
                findings.append(
                    Recorded(
                        GuardFinding(
                            stage: "output", rule: "output.missing_citation", action: .flag,
                            detail: "the answer cites none of the \(sources.count) sources it was given"), excerpt: Self.excerpt(text)))
            }
        }
        if p.unsupported.isOn, !isRefusal {
            for u in citations.unsupported(text, sources: sources) {
                findings.append(
                    Recorded(
                        GuardFinding(
                            stage: "output", rule: "output.unsupported", action: .flag,
                            detail: String(
                                format: "a sentence citing %@ shares %.0f%% of its content words with it",
                                u.cited.map { "[\($0)]" }.joined(separator: ", "), u.overlap * 100),
                            score: 1 - u.overlap), excerpt: Self.excerpt(u.sentence)))
            }
        }
        record(findings, context)
        return OutputVerdict(answer: text, findings: findings.map(\.finding))
    }

    // MARK: Checks outside a query (`lore guard check`)

    /// What every rule finds in `text` taken as a question, a document passage, or an answer
    /// (an answer's citations are checked against `sources`).
    public func check(_ text: String, as kind: CheckKind, sources: [ContextSource] = []) async -> (text: String, findings: [GuardFinding]) {
        let context = GuardContext(requestID: "check")
        switch kind {
        case .question:
            let v = await checkInput(text, history: [], context: context)
            if v.blockedAnswer != nil { return (v.blockedAnswer!, v.findings) }
            let q = await checkQuestion(v.question, vector: nil, context: context)
            return (q.blockedAnswer ?? q.question, v.findings + q.findings)
        case .document:
            let rule = policy.context.injection
            let a = await injection.assess(text, source: .document, windows: true)
            var findings: [GuardFinding] = []
            if a.score >= (rule.threshold ?? injection.threshold), rule.isOn {
                findings.append(
                    GuardFinding(
                        stage: "context", rule: "context.injection", action: rule.action == .flag ? .flag : .drop,
                        detail: Self.describe(a), score: a.score))
            }
            let (redacted, matches) = pii.redact(text)
            for (kind, n) in Self.count(matches) {
                findings.append(
                    GuardFinding(stage: "context", rule: "context.pii.\(kind.rawValue)", action: .flag, detail: "\(n) \(kind.rawValue)"))
            }
            return (redacted, findings)
        case .answer:
            let v = await checkOutput(text, sources: sources, sufficientContext: true, context: context)
            return (v.answer, v.findings)
        }
    }

    public enum CheckKind: String, Sendable, CaseIterable { case question, document, answer }

    // MARK: Recording

    struct Recorded {
        var finding: GuardFinding
        var excerpt: String
        var hash: String?
        init(_ finding: GuardFinding, excerpt: String, hash: String? = nil) {
            self.finding = finding
            self.excerpt = excerpt
            self.hash = hash
        }
    }

    /// Log, metric and audit for each finding.
    func record(_ findings: [Recorded], _ context: GuardContext) {
        guard !findings.isEmpty else { return }
        for r in findings {
            let f = r.finding
            Counter(
                label: "lore_guardrail_findings_total", dimensions: [("stage", f.stage), ("rule", f.rule), ("action", f.action.rawValue)]
            ).increment()
            var metadata: Logger.Metadata = [
                "request_id": "\(context.requestID)", "stage": "\(f.stage)", "rule": "\(f.rule)",
                "action": "\(f.action.rawValue)", "detail": "\(f.detail)", "prompt": "\(context.prompt)"
            ]
            if let s = f.score { metadata["score"] = "\(String(format: "%.2f", s))" }
            if [.block, .drop, .replace].contains(f.action) {
                logger.warning("guardrail finding", metadata: metadata)
            } else {
                logger.info("guardrail finding", metadata: metadata)
            }
        }
        guard policy.audit, let audit else { return }
        audit.record(
            findings.map { r in
                AuditRecord(
                    requestID: context.requestID, stage: r.finding.stage, rule: r.finding.rule, action: r.finding.action.rawValue,
                    prompt: context.prompt.isEmpty ? nil : context.prompt, score: r.finding.score,
                    excerpt: r.excerpt.isEmpty ? r.finding.detail : r.excerpt, hash: r.hash)
            })
    }

    static func count(_ matches: [PIIMatch]) -> [(PIIKind, Int)] {
        var c: [PIIKind: Int] = [:]
        for m in matches { c[m.kind, default: 0] += 1 }
        return c.sorted { $0.key.rawValue < $1.key.rawValue }
    }

    /// One finding per kind of personal data found in `found` (texts with their matches),
    /// each with a short digest of the matched values (for correlating findings; the value
    /// itself is never kept).
    static func piiFindings(
        _ found: [(text: String, matches: [PIIMatch])], stage: String, action: GuardFinding.Action,
        excerpt: String
    ) -> [Recorded] {
        var byKind: [PIIKind: [(bytes: [UInt8], range: Range<Int>)]] = [:]
        for (text, matches) in found where !matches.isEmpty {
            let bytes = Array(text.utf8)
            for m in matches { byKind[m.kind, default: []].append((bytes, m.utf8Range)) }
        }
        return byKind.sorted { $0.key.rawValue < $1.key.rawValue }.map { kind, values in
            var h = SHA256()
            for v in values { h.update(v.bytes[v.range]); h.update([0]) }
            let detail = "\(values.count) \(kind.rawValue)\(action == .redact ? " redacted as \(kind.placeholder)" : "")"
            return Recorded(
                GuardFinding(stage: stage, rule: "\(stage).pii.\(kind.rawValue)", action: action, detail: detail),
                excerpt: excerpt, hash: SHA256.hex(of: h.finalize().prefix(12)))
        }
    }

    static func excerpt(_ text: String, limit: Int = 160) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }

    static func describe(_ a: InjectionAssessment) -> String {
        let parts = a.signals.sorted { $0.weight > $1.weight }.prefix(4).map { String(format: "%@ %.2f", $0.rule, $0.weight) }
        return String(format: "score %.2f: ", a.score) + (parts.isEmpty ? "no signal" : parts.joined(separator: ", "))
    }
}
