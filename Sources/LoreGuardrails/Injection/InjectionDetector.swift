import Foundation
import LoreCore

/// What an injection finding rests on.
public enum InjectionCategory: String, CaseIterable, Sendable, Codable {
    /// The learned classifier: the text reads as instructions aimed at the model (override,
    /// jailbreak, prompt extraction, a directive planted in a document...).
    case instructions
    /// Chat-template tokens or fake role and turn markers (`<|im_start|>`, `[INST]`,
    /// `### System:`, `Assistant:` turns inside a document).
    case fakeDelimiter = "fake_delimiter"
    /// Instructions hidden from a human reader: HTML comments, Unicode tag characters,
    /// zero-width characters.
    case hiddenText = "hidden_text"
    /// A link or markdown image whose URL is built to carry data out.
    case exfiltration
    /// Instructions in an encoded run (base64, hex, ROT13, Morse, URL encoding, entities).
    case encoded
}

/// Where the text comes from: the user's question, or a retrieved or ingested document.
public enum InjectionSource: String, Sendable {
    case question, document
}

/// One piece of evidence.
public struct InjectionSignal: Sendable, Equatable {
    public var category: InjectionCategory
    /// A stable id: `classifier`, `window.classifier`, `hidden.classifier`, `decoded.classifier`, `structure.*`.
    public var rule: String
    /// Its score, in 0...1.
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
    /// 0 (nothing) ... 1 (certain): the strongest signal.
    public var score: Double
    /// Every signal, the classifier's first.
    public var signals: [InjectionSignal]
    /// The categories of the signals at or above `threshold`.
    public func categories(atLeast threshold: Double) -> [String] {
        Array(Set(signals.filter { $0.weight >= threshold }.map(\.category.rawValue))).sorted()
    }

    public init(score: Double, signals: [InjectionSignal]) {
        self.score = score
        self.signals = signals
    }

    /// Nothing found.
    public static let none = InjectionAssessment(score: 0, signals: [])
}

/// The prompt-injection detector for questions and retrieved documents: a classifier learned
/// from third-party attack corpora (``InjectionClassifier``) over the sentence embedding the
/// pipeline computes anyway, plus structural checks (``InjectionStructure``) for what an
/// embedding cannot see: chat-template tokens and fake turns, hidden text, links that carry
/// data out, and encoded runs. Hidden and decoded text is embedded and classified again
/// (the only extra forward passes, and only for such text).
///
/// The score is the strongest signal. The policy's threshold (default: the classifier file's
/// own, 0.5) decides.
public struct InjectionDetector: Sendable {
    public let classifier: InjectionClassifier?
    let embedder: (any Embedder)?
    let rules: InjectionStructureRules

    /// A detector with `classifier` (the bundled one by default; nil: structural checks only)
    /// and the embedder that made the vectors it will be given (used for hidden or decoded
    /// text, and for texts given without a vector). Without an embedder the vectors' model is
    /// unknown, and an embedder of another model than the classifier's cannot feed it: in
    /// both cases only the structural checks run.
    public init(classifier: InjectionClassifier? = .bundled, embedder: (any Embedder)?) {
        if let classifier, let embedder, Self.compatible(classifier, embedder) {
            self.classifier = classifier
        } else {
            self.classifier = nil
        }
        self.embedder = embedder
        self.rules = .bundled
    }

    /// Whether the classifier can read `embedder`'s vectors.
    public static func compatible(_ classifier: InjectionClassifier, _ embedder: any Embedder) -> Bool {
        embedder.dimension == InjectionFeatures.embeddingDimensions
            && (classifier.embeddingModel.isEmpty || classifier.embeddingModel.hasSuffix(embedder.modelID))
    }

    /// Identifies the classifier file and the structural data.
    public var version: String {
        (classifier?.version ?? "structure-only") + "+structure-" + rules.version
    }

    /// The version stored with each chunk's scan outcome (`chunk_guard_scans.detector`).
    public var scanVersion: String { "injection-" + version }

    /// The score at which a text is an injection unless the policy sets another: the
    /// classifier file's (0.5 for the structural checks alone).
    public var threshold: Double { classifier?.threshold ?? 0.5 }

    /// Whether the classifier runs (it needs a compatible embedder).
    public var learned: Bool { classifier != nil }

    /// Assesses `text`, which came from `source`. `vector` is its embedding when the caller
    /// has it (the question's, a chunk's stored vector); without it the detector embeds the
    /// text itself when it has an embedder. With `windows`, a document's windows
    /// (``InjectionWindows``: a sentence or a few each) are embedded and classified too, so that
    /// one planted instruction is not averaged away by the passage around it: the ingest-time
    /// scan does this once per chunk, and the query-time rail reads its outcome.
    public func assess(_ text: String, vector: [Float]? = nil, source: InjectionSource, windows: Bool = false) async -> InjectionAssessment
    {
        await assess([(text, vector)], source: source, windows: windows)[0]
    }

    /// Assesses several texts from one `source` as ``assess(_:vector:source:windows:)`` does
    /// one, with everything they need embedded (texts without a vector, hidden and decoded
    /// text, windows) in one call to the embedder: it sorts the texts by length and runs its
    /// batches on every core, where one text's few windows would make a batch of their own.
    /// When the embedder fails, the texts are scored without what it would have given (the
    /// structural checks, and the classifier on the vectors passed in); the ingest-time scan
    /// uses ``assessOrThrow(_:source:windows:)`` instead, so as not to record such a verdict.
    public func assess(_ items: [(text: String, vector: [Float]?)], source: InjectionSource, windows: Bool = false) async
        -> [InjectionAssessment]
    {
        let plan = plan(items, source: source, windows: windows)
        return score(items, plan, vectors: try? await embed(plan.texts), source: source)
    }

    /// ``assess(_:source:windows:)``, but a failure of the embedder (or an answer with another
    /// number of vectors) is thrown instead of scored around: the ingest-time scan assesses
    /// its chunks this way, and leaves them unscanned for the next run.
    public func assessOrThrow(_ items: [(text: String, vector: [Float]?)], source: InjectionSource, windows: Bool = false)
        async throws -> [InjectionAssessment]
    {
        let plan = plan(items, source: source, windows: windows)
        return score(items, plan, vectors: try await embed(plan.texts), source: source)
    }

    private typealias Extra = (text: String, category: InjectionCategory, rule: String, source: InjectionSource, range: Range<Int>?)
    /// Per text: its structural scan, what is embedded for it, and where those vectors start
    /// in `texts` (nil for an empty text); `texts`: everything to embed, in one list.
    private typealias Plan = (items: [(scan: StructuralScan, extra: [Extra], own: Bool, start: Int)?], texts: [String])

    /// The vectors of `texts`, or nil when there is nothing to embed or the classifier does not run.
    private func embed(_ texts: [String]) async throws -> [[Float]]? {
        guard classifier != nil, !texts.isEmpty, let embedder else { return nil }
        let vectors = try await embedder.embed(texts)
        guard vectors.count == texts.count else {
            throw GuardrailError("the embedder returned \(vectors.count) vectors for \(texts.count) texts")
        }
        return vectors
    }

    private func plan(_ items: [(text: String, vector: [Float]?)], source: InjectionSource, windows: Bool) -> Plan {
        var plans: [(scan: StructuralScan, extra: [Extra], own: Bool, start: Int)?] = []
        var texts: [String] = []
        for item in items {
            guard !item.text.isEmpty else {
                plans.append(nil)
                continue
            }
            let scan = InjectionStructure.scan(item.text, source: source, rules: rules)
            var extra: [Extra] = []
            if classifier != nil {
                extra += scan.hidden.map { ($0, .hiddenText, "hidden.classifier", .question, nil) }
                extra += scan.decoded.map { ($0, .encoded, "decoded.classifier", .question, nil) }
                if windows, source == .document {
                    extra += InjectionWindows.split(item.text).map {
                        ($0.text, .instructions, "window.classifier", .document, $0.utf8Range)
                    }
                }
            }
            let own = classifier != nil && item.vector == nil
            plans.append((scan, extra, own, texts.count))
            if own { texts.append(item.text) }
            texts += extra.map(\.text)
        }
        return (plans, texts)
    }

    private func score(_ items: [(text: String, vector: [Float]?)], _ plan: Plan, vectors: [[Float]]?, source: InjectionSource)
        -> [InjectionAssessment]
    {
        zip(items, plan.items).map { item, plan in
            guard let plan else { return .none }
            var signals: [InjectionSignal] = []
            if let classifier {
                var v = item.vector
                if let vectors {
                    var k = plan.start
                    if plan.own {
                        v = vectors[k]
                        k += 1
                    }
                    var best: InjectionSignal? = nil
                    for (segment, e) in zip(vectors[k..<(k + plan.extra.count)], plan.extra)
                    where segment.count == InjectionFeatures.embeddingDimensions {
                        let sub = InjectionStructure.scan(e.text, source: e.source, rules: rules)
                        let p = classifier.score(InjectionFeatures.vector(e.text, embedding: segment, source: e.source, scan: sub))
                        let window = e.rule == "window.classifier"
                        let signal = InjectionSignal(
                            category: e.category, rule: e.rule, weight: window ? classifier.windowWeight(p) : p, utf8Range: e.range)
                        // Of the windows only the most suspicious one counts.
                        if window {
                            if signal.weight > best?.weight ?? -1 { best = signal }
                        } else {
                            signals.append(signal)
                        }
                    }
                    if let best { signals.append(best) }
                }
                if let v, v.count == InjectionFeatures.embeddingDimensions {
                    let p = classifier.score(InjectionFeatures.vector(item.text, embedding: v, source: source, scan: plan.scan))
                    signals.insert(InjectionSignal(category: .instructions, rule: "classifier", weight: p), at: 0)
                }
            }
            signals += plan.scan.signals
            let score = signals.map(\.weight).max() ?? 0
            return InjectionAssessment(score: min(1, max(0, score)), signals: signals)
        }
    }
}
