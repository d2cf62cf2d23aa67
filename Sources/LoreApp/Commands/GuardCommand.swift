import Foundation
import LoreCore
import LoreEval
import LoreGuardrails
import LoreQuery
import LoreStore

/// The options of `lore guard eval`.
public struct GuardEvalRequest: Sendable {
    /// The directory with pii.jsonl and injection.jsonl.
    public var sets: String
    /// PII and injection sets to score instead of those of `sets`.
    public var piiSets: [String], injectionSets: [String]
    /// The injection classifier file (default: the configuration's).
    public var injectionModel: String?
    /// Which part of each set: all, dev or sealed.
    public var part: String
    /// Also measure the citation-support check on the database's chunks.
    public var support: Bool
    /// Write the JSON report to this file.
    public var report: String?
    /// List every miss and false positive (development part only); print JSON.
    public var verbose: Bool, json: Bool

    /// A request with these options.
    public init(
        sets: String, piiSets: [String], injectionSets: [String], injectionModel: String?, part: String, support: Bool,
        report: String?, verbose: Bool, json: Bool
    ) {
        self.sets = sets
        self.piiSets = piiSets
        self.injectionSets = injectionSets
        self.injectionModel = injectionModel
        self.part = part
        self.support = support
        self.report = report
        self.verbose = verbose
        self.json = json
    }
}

/// `lore guard check|eval|features|flagged|scan|audit`: the guardrails from the command line.
public enum GuardCommand {
    /// The JSON encoder of the guard commands (snake-case keys).
    static func encode(_ value: some Encodable) throws -> String { try CommandText.json(encoding: value, snakeCase: true) }

    struct CheckOutput: Encodable {
        var kind: String
        var text: String
        var findings: [GuardFinding]
    }

    /// `lore guard check TEXT`: what the rules find in the text as a question, a document
    /// passage or an answer given `sources` sources; status 3 when a rule blocks it.
    public static func check(text: String, kind: String, sources: Int, json: Bool, config: LoreConfiguration) async throws -> CommandOutput
    {
        guard let as_ = PolicyGuards.CheckKind(rawValue: kind) else {
            throw UsageError("--as must be question, document or answer, not \(kind)")
        }
        var policy = config.guardrails
        policy.enabled = true
        let embedder = try await EmbedderFactory.make(config)
        let guards = PolicyGuards(policy: policy, embedder: embedder, classifier: try policy.classifier())
        let given = (0..<max(0, sources)).map {
            ContextSource(
                number: $0 + 1, chunkID: Int64($0 + 1), source: "source-\($0 + 1)", title: "", headingPath: "", text: "", score: 0)
        }
        let (checked, findings) = await guards.check(text, as: as_, sources: given)
        var out = CommandOutput()
        if json {
            out.print(try encode(CheckOutput(kind: kind, text: checked, findings: findings)))
        } else {
            if findings.isEmpty { out.print("no findings") }
            for f in findings {
                out.print("\(f.action.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(f.rule): \(f.detail)")
            }
            if checked != text { out.print("---\n\(checked)") }
        }
        if findings.contains(where: { $0.action == .block }) { out.status = 3 }
        return out
    }

    /// `lore guard eval`: the rule families' detection and false-positive rates on the
    /// labelled sets (and the citation-support check on a store).
    public static func eval(_ request: GuardEvalRequest, config: LoreConfiguration) async throws -> CommandOutput {
        var config = config
        if let m = request.injectionModel { config.guardrails.injectionModel = m }
        let policy = config.guardrails
        guard let split = SplitPart(rawValue: request.part) else {
            throw UsageError("--part must be all, dev or sealed, not \(request.part)")
        }
        let embedder = try await EmbedderFactory.make(config)
        let detector = try policy.injectionDetector(embedder: embedder)
        let e = GuardEvaluation()
        var reports: [(String, GuardEvaluation.Report)] = []
        let defaults = request.piiSets.isEmpty && request.injectionSets.isEmpty
        let piiSets = defaults ? [(request.sets as NSString).appendingPathComponent("pii.jsonl")] : request.piiSets
        let injectionSets = defaults ? [(request.sets as NSString).appendingPathComponent("injection.jsonl")] : request.injectionSets
        for path in piiSets {
            var r = GuardEvaluation.Report()
            r.pii = try e.evaluatePII(path, part: split)
            reports.append((path, r))
        }
        for path in injectionSets {
            var r = GuardEvaluation.Report()
            r.injection = try await e.evaluateInjection(
                path, threshold: policy.input.injection.threshold, part: split, detector: detector, embedder: embedder)
            reports.append((path, r))
        }
        if request.support {
            try config.requireDatabase(hint: "--support draws sentences from a store (pass --db)")
            let store = try Store(path: config.database, readOnly: true)
            let s = try store.connection.prepare("SELECT document_id, text FROM chunks ORDER BY id")
            var chunks: [(document: Int64, text: String)] = []
            while try s.step() { chunks.append((s.int(0), s.text(1))) }
            var r = GuardEvaluation.Report()
            r.support = e.evaluateSupport(chunks: chunks, threshold: policy.output.unsupported.threshold ?? 0.2)
            reports.append(("support", r))
        }
        // The sealed part's items never leave the process: aggregates only.
        if split != .dev {
            for k in reports.indices {
                reports[k].1.pii?.missed = []
                reports[k].1.pii?.falsePositives = []
                reports[k].1.injection?.missed = []
                reports[k].1.injection?.falsePositives = []
            }
        }
        let data = try CommandText.encoder(snakeCase: true).encode(Dictionary(uniqueKeysWithValues: reports.map { ($0.0, $0.1) }))
        if let report = request.report { try data.write(to: URL(fileURLWithPath: report)) }
        var out = CommandOutput()
        if request.json {
            out.print(String(decoding: data, as: UTF8.self))
            return out
        }
        out.print(
            "part: \(split.rawValue); injection detector \(detector.version)\(detector.learned ? "" : " (structural checks only: no embedder)")"
        )
        for (path, r) in reports { out.print(GuardEvalText.render(path: path, r, verbose: request.verbose && split == .dev)) }
        if split != .dev && request.verbose { out.print("(--verbose lists the development part only: pass --part dev)") }
        return out
    }

    /// `lore guard features`: the injection classifier's input vector for each line of a JSON
    /// Lines file, or with `names` the feature names (then the configuration is not read).
    public static func features(file: String?, names: Bool, configuration: () throws -> LoreConfiguration) async throws -> CommandOutput {
        var out = CommandOutput()
        if names {
            out.print(String(decoding: try JSONSerialization.data(withJSONObject: InjectionFeatures.names), as: UTF8.self))
            return out
        }
        guard let file else { throw UsageError("give --file FILE.jsonl (or --names)") }
        let config = try configuration()
        guard let embedder = try await EmbedderFactory.make(config) else {
            throw UsageError("lore guard features needs an embedder (not none)")
        }
        var items: [(String, InjectionSource)] = []
        do {
            for (n, o) in try JSONLines.objects(file) {
                guard let text = o["text"] as? String else { throw CommandFailure(description: "\(file):\(n): text: missing") }
                let w = o["where"] as? String ?? "question"
                guard let source = InjectionSource(rawValue: w) else {
                    throw CommandFailure(description: "\(file):\(n): where must be question or document, not \(w)")
                }
                items.append((text, source))
            }
        } catch let e as JSONLines.Failure { throw CommandFailure(description: e.description) }
        for start in stride(from: 0, to: items.count, by: 64) {
            let slice = Array(items[start..<min(items.count, start + 64)])
            let vectors: [[Float]]
            do { vectors = try await embedder.embed(slice.map(\.0)) } catch { throw InterruptedOutput(output: out, error: error) }
            for ((text, source), v) in zip(slice, vectors) {
                out.print(
                    "["
                        + InjectionFeatures.vector(text, embedding: v, source: source).map { String(format: "%.7g", $0) }.joined(
                            separator: ",") + "]")
            }
        }
        return out
    }

    /// `lore guard flagged`: the chunks the ingest-time scan flagged (of one collection, or all).
    public static func flagged(collection: String?, json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        try config.requireDatabase()
        let flagged = try Store(path: config.database, readOnly: true).flaggedChunks(collection: collection)
        var out = CommandOutput()
        if json {
            out.print(try encode(flagged))
            return out
        }
        if flagged.isEmpty { out.print("no flagged chunks") }
        for f in flagged {
            out.print(
                "chunk \(f.chunkID) (\(f.collection)) \(f.source) #\(f.ordinal) score \(String(format: "%.2f", f.score)) [\(f.rules)]")
            out.print("  \(f.snippet.split(whereSeparator: \.isNewline).joined(separator: " "))")
        }
        return out
    }

    /// `lore guard scan`: the injection scan over every chunk not yet scanned.
    public static func scan(config: LoreConfiguration) async throws -> CommandOutput {
        try config.requireDatabase()
        let detector = try config.guardrails.injectionDetector(embedder: try await EmbedderFactory.make(config))
        let r = try await IngestScanner(
            detector: detector, threshold: config.guardrails.context.injection.threshold, windows: config.guardrails.context.scanWindows
        ).scan(try Store(path: config.database))
        var out = CommandOutput()
        out.print("scanned \(r.scanned) chunks, flagged \(r.flagged), in \(String(format: "%.2f", r.seconds)) s")
        return out
    }

    /// `lore guard audit`: the newest findings of the audit trail (of one request, or all).
    public static func audit(requestID: String?, limit: Int, json: Bool, config: LoreConfiguration) throws -> CommandOutput {
        try config.requireDatabase(hint: "pass --db")
        let records = try Store(path: config.database, readOnly: true).auditRecords(requestID: requestID, limit: limit)
        var out = CommandOutput()
        if json {
            out.print(try encode(records))
            return out
        }
        let f = ISO8601DateFormatter()
        for r in records {
            out.print(
                "\(f.string(from: Date(timeIntervalSince1970: r.at))) \(r.requestID) \(r.stage) \(r.rule) \(r.action)\(r.score.map { String(format: " %.2f", $0) } ?? "") \(r.excerpt)"
            )
        }
        return out
    }
}
