import Foundation
import LoreCore
import LoreGuardrails

/// Detection and false-positive rates of the guardrail rules on labelled sets
/// (`Tests/Fixtures/guardrails/`), for `lore guard eval`:
/// - `pii.jsonl`: `{"id", "text", "kind", "value"}`, one PII item per positive line (`kind`
///   and `value` null on look-alikes). A positive is found when a match of its kind covers
///   its value; every other match is a false positive.
/// - `injection.jsonl`: `{"id", "text", "label": "injection"|"benign", "where":
///   "question"|"document", "lang", "technique" or "family", "corpus"}`, scored as the
///   pipeline scores questions and retrieved passages, against the policy's threshold.
/// Every set splits into a development and a sealed part by ``SplitPart``.
/// - citation support (with a store): sentences drawn from the store's chunks (seeded) are
///   checked against their own chunk (supported) and against a chunk of another document
///   (unsupported), as the output rail checks a cited sentence.
public struct GuardEvaluation: Sendable {
    public struct Rate: Sendable, Codable, Equatable {
        public var hits: Int
        public var total: Int
        public var value: Double { total == 0 ? 0 : Double(hits) / Double(total) }
    }

    public struct PIIResult: Sendable, Codable {
        public var positives: Int
        public var lookalikes: Int
        public var recall: Double
        public var precision: Double
        /// Look-alike lines with any match.
        public var lookalikeFalsePositiveRate: Double
        public var recallByKind: [String: Rate]
        /// Recall and precision of the two families: personal data, and secrets.
        public var families: [String: Family]
        public var missed: [String]
        public var falsePositives: [String]
        public var microsecondsP50: Double
    }

    public struct Family: Sendable, Codable {
        public var recall: Double
        public var precision: Double
        public var items: Int
        public var falsePositives: Int
    }

    public struct InjectionResult: Sendable, Codable {
        public var threshold: Double
        public var attacks: Int
        public var benign: Int
        public var detectionRate: Double
        public var falsePositiveRate: Double
        public var detectionByWhere: [String: Rate]
        public var detectionByLanguage: [String: Rate]
        public var falsePositiveByWhere: [String: Rate]
        public var detectionByFamily: [String: Rate]
        public var detectionByCorpus: [String: Rate]
        public var falsePositiveByLanguage: [String: Rate]
        public var falsePositiveByFamily: [String: Rate]
        /// The detector's version (classifier and structural data hashes).
        public var detector: String
        public var missed: [String]
        public var falsePositives: [String]
        public var microsecondsP50: Double
    }

    public struct SupportResult: Sendable, Codable {
        public var threshold: Double
        public var pairs: Int
        /// Unsupported (wrongly cited) sentences flagged.
        public var detectionRate: Double
        /// Supported sentences flagged.
        public var falsePositiveRate: Double
        public var microsecondsP50: Double
    }

    public struct Report: Sendable, Codable {
        public var pii: PIIResult?
        public var injection: InjectionResult?
        public var support: SupportResult?
        public init() {}
    }

    public init() {}

    // MARK: PII

    public func evaluatePII(_ path: String, part: SplitPart = .all, detector: PIIDetector = PIIDetector()) throws -> PIIResult {
        let lines = try Self.jsonLines(path).filter { part.includes($0.object["id"] as? String ?? "line \($0.line)") }
        var tp = 0, fp = 0, positives = 0, lookalikes = 0, lookalikeHits = 0
        var byKind: [String: Rate] = [:]
        var fpByKind: [String: Int] = [:]
        var missed: [String] = [], falsePositives: [String] = []
        var times: [Double] = []
        for (n, o) in lines {
            guard let text = o["text"] as? String else { throw GuardrailError("\(path):\(n): text: missing") }
            let id = o["id"] as? String ?? "line \(n)"
            let t = DispatchTime.now()
            let matches = detector.find(in: text)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e3)
            if let kind = o["kind"] as? String, let value = o["value"] as? String {
                positives += 1
                guard let r = text.range(of: value) else { throw GuardrailError("\(path):\(n): value is not in text") }
                let lo = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
                let span = lo..<(lo + value.utf8.count)
                let found = matches.contains { $0.kind.rawValue == kind && $0.utf8Range.overlaps(span) }
                byKind[kind, default: Rate(hits: 0, total: 0)].total += 1
                if found { tp += 1; byKind[kind]!.hits += 1 } else { missed.append("\(id) (\(kind))") }
                let extra = matches.filter { !($0.kind.rawValue == kind && $0.utf8Range.overlaps(span)) }
                fp += extra.count
                for m in extra { fpByKind[m.kind.rawValue, default: 0] += 1 }
                if !extra.isEmpty { falsePositives.append("\(id) (\(extra.map(\.kind.rawValue).joined(separator: ",")))") }
            } else {
                lookalikes += 1
                fp += matches.count
                for m in matches { fpByKind[m.kind.rawValue, default: 0] += 1 }
                if !matches.isEmpty {
                    lookalikeHits += 1
                    falsePositives.append("\(id) (\(matches.map(\.kind.rawValue).joined(separator: ",")))")
                }
            }
        }
        var families: [String: Family] = [:]
        for (name, secret) in [("personal_data", false), ("secrets", true)] {
            let kinds = Set(PIIKind.allCases.filter { $0.isSecret == secret }.map(\.rawValue))
            let items = byKind.filter { kinds.contains($0.key) }.values.reduce(0) { $0 + $1.total }
            let hits = byKind.filter { kinds.contains($0.key) }.values.reduce(0) { $0 + $1.hits }
            let fps = fpByKind.filter { kinds.contains($0.key) }.values.reduce(0, +)
            families[name] = Family(
                recall: items == 0 ? 0 : Double(hits) / Double(items),
                precision: hits + fps == 0 ? 0 : Double(hits) / Double(hits + fps), items: items, falsePositives: fps)
        }
        return PIIResult(
            positives: positives, lookalikes: lookalikes,
            recall: positives == 0 ? 0 : Double(tp) / Double(positives),
            precision: tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp),
            lookalikeFalsePositiveRate: lookalikes == 0 ? 0 : Double(lookalikeHits) / Double(lookalikes),
            recallByKind: byKind, families: families, missed: missed, falsePositives: falsePositives, microsecondsP50: Self.median(times))
    }

    // MARK: Injection

    /// Scores every line of a labelled set (in `part`) as the pipeline scores questions and
    /// retrieved passages: the detector's classifier over the text's embedding (embedded in
    /// batches here, as the pipeline and the ingest embed them) and its structural checks.
    /// Lines may carry `family` (or `technique`), `lang` and `corpus`: rates are given per
    /// value of each.
    public func evaluateInjection(
        _ path: String, threshold: Double? = nil, part: SplitPart = .all,
        detector: InjectionDetector, embedder: (any Embedder)?
    ) async throws -> InjectionResult {
        let lines = try Self.jsonLines(path)
        struct Item {
            var id: String; var text: String; var attack: Bool; var whereFrom: String; var lang: String; var family: String;
            var corpus: String
        }
        var items: [Item] = []
        for (n, o) in lines {
            guard let text = o["text"] as? String, let label = o["label"] as? String else {
                throw GuardrailError("\(path):\(n): text and label are required")
            }
            guard label == "injection" || label == "benign" else {
                throw GuardrailError("\(path):\(n): label must be injection or benign, not \(label)")
            }
            let id = o["id"] as? String ?? "line \(n)"
            guard part.includes(id) else { continue }
            items.append(
                Item(
                    id: id, text: text, attack: label == "injection", whereFrom: o["where"] as? String ?? "question",
                    lang: o["lang"] as? String ?? "?", family: (o["family"] ?? o["technique"]) as? String ?? "?",
                    corpus: o["corpus"] as? String ?? "?"))
        }
        let limit = threshold ?? detector.threshold
        var attacks = 0, detected = 0, benign = 0, flaggedBenign = 0
        var byWhere: [String: Rate] = [:], byLanguage: [String: Rate] = [:], fpByWhere: [String: Rate] = [:]
        var byFamily: [String: Rate] = [:], byCorpus: [String: Rate] = [:], fpByLanguage: [String: Rate] = [:],
            fpByFamily: [String: Rate] = [:]
        var missed: [String] = [], falsePositives: [String] = []
        var times: [Double] = []
        let batch = 64
        for start in stride(from: 0, to: items.count, by: batch) {
            let slice = Array(items[start..<min(items.count, start + batch)])
            var vectors: [[Float]?] = Array(repeating: nil, count: slice.count)
            if let embedder, detector.learned {
                do {
                    let v = try await embedder.embed(slice.map(\.text))
                    vectors = v.map { Optional($0) }
                } catch { throw GuardrailError("\(path): embedding: \(error)") }
            }
            for (item, vector) in zip(slice, vectors) {
                let t = DispatchTime.now()
                // A document as the ingest-time scan sees it (its windows too), which the query-time rail reads.
                let document = item.whereFrom == "document"
                let a = await detector.assess(item.text, vector: vector, source: document ? .document : .question, windows: document)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e3)
                let hit = a.score >= limit
                let top = a.signals.max { $0.weight < $1.weight }.map { "\($0.rule) \(String(format: "%.2f", $0.weight))" } ?? "no signal"
                func count(_ d: inout [String: Rate], _ key: String) {
                    d[key, default: Rate(hits: 0, total: 0)].total += 1
                    if hit { d[key]!.hits += 1 }
                }
                if item.attack {
                    attacks += 1
                    if hit { detected += 1 }
                    count(&byWhere, item.whereFrom); count(&byLanguage, item.lang); count(&byFamily, item.family);
                    count(&byCorpus, item.corpus)
                    if !hit {
                        missed.append(
                            "\(item.id) [\(item.whereFrom), \(item.lang), \(item.family)] score \(String(format: "%.2f", a.score))")
                    }
                } else {
                    benign += 1
                    if hit { flaggedBenign += 1 }
                    count(&fpByWhere, item.whereFrom); count(&fpByLanguage, item.lang); count(&fpByFamily, item.family)
                    if hit {
                        falsePositives.append(
                            "\(item.id) [\(item.whereFrom), \(item.lang)] score \(String(format: "%.2f", a.score)): \(top)")
                    }
                }
            }
        }
        return InjectionResult(
            threshold: limit, attacks: attacks, benign: benign,
            detectionRate: attacks == 0 ? 0 : Double(detected) / Double(attacks),
            falsePositiveRate: benign == 0 ? 0 : Double(flaggedBenign) / Double(benign),
            detectionByWhere: byWhere, detectionByLanguage: byLanguage, falsePositiveByWhere: fpByWhere,
            detectionByFamily: byFamily, detectionByCorpus: byCorpus, falsePositiveByLanguage: fpByLanguage,
            falsePositiveByFamily: fpByFamily, detector: detector.version,
            missed: missed, falsePositives: falsePositives, microsecondsP50: Self.median(times))
    }

    // MARK: Citation support

    /// `chunks`: (document id, text) pairs from a store. Draws up to `pairs` sentences of at
    /// least 8 words with a seeded generator.
    public func evaluateSupport(chunks: [(document: Int64, text: String)], threshold: Double, pairs: Int = 500, seed: UInt64 = 7)
        -> SupportResult
    {
        var rng = SeededRandom(seed: seed)
        var flaggedGood = 0, flaggedBad = 0, n = 0
        var times: [Double] = []
        let eligible = chunks.filter { $0.text.split(separator: " ").count >= 20 }
        guard eligible.count >= 2 else {
            return SupportResult(threshold: threshold, pairs: 0, detectionRate: 0, falsePositiveRate: 0, microsecondsP50: 0)
        }
        var attempts = 0
        while n < pairs, attempts < pairs * 20 {
            attempts += 1
            let own = eligible[Int(rng.next() % UInt64(eligible.count))]
            let sentences = own.text.components(separatedBy: ". ").filter { $0.split(separator: " ").count >= 8 }
            guard !sentences.isEmpty else { continue }
            let sentence = sentences[Int(rng.next() % UInt64(sentences.count))]
            let other = eligible[Int(rng.next() % UInt64(eligible.count))]
            guard other.document != own.document else { continue }
            let t = DispatchTime.now()
            let good = CitationChecker.overlap(sentence, own.text)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e3)
            let bad = CitationChecker.overlap(sentence, other.text)
            n += 1
            if good < threshold { flaggedGood += 1 }
            if bad < threshold { flaggedBad += 1 }
        }
        return SupportResult(
            threshold: threshold, pairs: n, detectionRate: n == 0 ? 0 : Double(flaggedBad) / Double(n),
            falsePositiveRate: n == 0 ? 0 : Double(flaggedGood) / Double(n), microsecondsP50: Self.median(times))
    }

    // MARK: Helpers

    static func jsonLines(_ path: String) throws -> [(line: Int, object: [String: Any])] {
        do { return try JSONLines.objects(path) } catch { throw GuardrailError("\(error)") }
    }

    static func median(_ v: [Double]) -> Double { Statistics.percentile(v, 50) }
}
