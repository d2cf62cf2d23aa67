import ArgumentParser
import Foundation
import LoreApp
import LoreCore
import LoreEval
import LoreGuardrails
import LoreQuery
import LoreStore

/// `lore guard check|eval|flagged|scan|audit`
struct Guard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Check text against the guardrail policy, measure the rules, and list what they found.",
        subcommands: [Check.self, Eval.self, Features.self, Flagged.self, Scan.self, Audit.self]
    )

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show what the rules find in TEXT, as a question (input rails), a document passage (injection scan), or an answer (output rails)."
        )
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The text to check.")
        var text: String

        @Option(name: .customLong("as"), help: "question, document or answer. (default: question)")
        var kind = "question"

        @Option(
            name: .long,
            help:
                "For --as answer: how many sources the answer was given, numbered 1...N (invented citations are those above N). (default: 5)"
        )
        var sources = 5

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try global.configuration()
            guard let as_ = PolicyGuards.CheckKind(rawValue: kind) else {
                throw ValidationError("--as must be question, document or answer, not \(kind)")
            }
            var policy = config.guardrails
            policy.enabled = true
            let embedder = try await EmbedderFactory.make(config)
            let guards = PolicyGuards(policy: policy, embedder: embedder, classifier: try policy.classifier())
            let given = (0..<max(0, sources)).map {
                ContextSource(
                    number: $0 + 1, chunkID: Int64($0 + 1), source: "source-\($0 + 1)", title: "", headingPath: "", text: "", score: 0)
            }
            let (out, findings) = await guards.check(text, as: as_, sources: given)
            if json {
                let data = try Guard.encoder().encode(CheckOutput(kind: kind, text: out, findings: findings))
                print(String(decoding: data, as: UTF8.self))
            } else {
                if findings.isEmpty { print("no findings") }
                for f in findings {
                    print("\(f.action.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(f.rule): \(f.detail)")
                }
                if out != text { print("---\n\(out)") }
            }
            if findings.contains(where: { $0.action == .block }) { throw ExitCode(3) }
        }

        struct CheckOutput: Encodable {
            var kind: String
            var text: String
            var findings: [GuardFinding]
        }
    }

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Detection and false-positive rates of each rule family on the labelled sets (and of the citation-support check on a store).",
            discussion: """
                Every set splits into a development part and a sealed part by a committed hash rule (SplitPart: \
                the first byte of SHA-256("lore-split-v1:" + id) odd means sealed). --part sealed prints aggregates only: \
                --verbose lists misses of the development part alone.
                """)
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The directory with pii.jsonl and injection.jsonl (the in-house development sets).")
        var sets = "Tests/Fixtures/guardrails"

        @Option(name: .long, help: "PII sets to score instead of SETS/pii.jsonl (repeatable).")
        var piiSet: [String] = []

        @Option(name: .long, help: "Injection sets to score instead of SETS/injection.jsonl (repeatable).")
        var injectionSet: [String] = []

        @Option(name: .long, help: "The injection classifier file to use (default: guardrails.injection_model, else the bundled one).")
        var injectionModel: String?

        @Option(name: .long, help: "Which part of each set: all, dev or sealed. (default: all)")
        var part = "all"

        @Flag(name: .long, help: "Also measure the citation-support check on sentences drawn from the database's chunks.")
        var support = false

        @Option(name: .long, help: "Write the report as JSON to this file.")
        var report: String?

        @Flag(name: .long, help: "List every miss and false positive (development part only).")
        var verbose = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            var config = try global.configuration()
            if let injectionModel { config.guardrails.injectionModel = injectionModel }
            let policy = config.guardrails
            guard let split = SplitPart(rawValue: part) else { throw ValidationError("--part must be all, dev or sealed, not \(part)") }
            let embedder = try await EmbedderFactory.make(config)
            let detector = try policy.injectionDetector(embedder: embedder)
            let e = GuardEvaluation()
            var reports: [(String, GuardEvaluation.Report)] = []
            let piiSets = piiSet.isEmpty && injectionSet.isEmpty ? [(sets as NSString).appendingPathComponent("pii.jsonl")] : piiSet
            let injectionSets =
                piiSet.isEmpty && injectionSet.isEmpty ? [(sets as NSString).appendingPathComponent("injection.jsonl")] : injectionSet
            for path in piiSets {
                var r = GuardEvaluation.Report()
                r.pii = try e.evaluatePII(path, part: split)
                reports.append((path, r))
            }
            for path in injectionSets {
                var r = GuardEvaluation.Report()
                r.injection = try await e.evaluateInjection(
                    path, threshold: policy.input.injection.threshold, part: split,
                    detector: detector, embedder: embedder)
                reports.append((path, r))
            }
            if support {
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
                    reports[k].1.pii?.missed = []; reports[k].1.pii?.falsePositives = []
                    reports[k].1.injection?.missed = []; reports[k].1.injection?.falsePositives = []
                }
            }
            let sealedNote = split != .dev && verbose ? "(--verbose lists the development part only: pass --part dev)" : nil
            let data = try Guard.encoder().encode(Dictionary(uniqueKeysWithValues: reports.map { ($0.0, $0.1) }))
            if let report { try data.write(to: URL(fileURLWithPath: report)) }
            if json { print(String(decoding: data, as: UTF8.self)); return }
            print(
                "part: \(split.rawValue); injection detector \(detector.version)\(detector.learned ? "" : " (structural checks only: no embedder)")"
            )
            for (path, r) in reports { GuardEvalPrinter.print(path: path, r, verbose: verbose && split == .dev) }
            if let sealedNote { print(sealedNote) }
        }
    }

    struct Features: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the injection classifier's input vector for each line of a JSON Lines file (for scripts/train-guard).",
            discussion:
                "Each input line is {\"text\": ..., \"where\": \"question\"|\"document\"}; each output line is a JSON array: the embedding, then the structural features."
        )
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The JSON Lines file.")
        var file: String?

        @Flag(name: .long, help: "Print the feature names as one JSON array and exit.")
        var names = false

        func run() async throws {
            if names {
                let data = try JSONSerialization.data(withJSONObject: InjectionFeatures.names)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            guard let file else { throw ValidationError("give --file FILE.jsonl (or --names)") }
            let config = try global.configuration()
            guard let embedder = try await EmbedderFactory.make(config) else {
                throw ValidationError("lore guard features needs an embedder (not none)")
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
                let vectors = try await embedder.embed(slice.map(\.0))
                for ((text, source), v) in zip(slice, vectors) {
                    print(
                        "["
                            + InjectionFeatures.vector(text, embedding: v, source: source).map { String(format: "%.7g", $0) }.joined(
                                separator: ",") + "]")
                }
            }
        }
    }

    struct Flagged: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the chunks the ingest-time scan flagged for instructions aimed at the model.")
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only this collection.")
        var collection: String?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let config = try global.configuration()
            try config.requireDatabase()
            let flagged = try Store(path: config.database, readOnly: true).flaggedChunks(collection: collection)
            if json { print(String(decoding: try Guard.encoder().encode(flagged), as: UTF8.self)); return }
            if flagged.isEmpty { print("no flagged chunks") }
            for f in flagged {
                print(
                    "chunk \(f.chunkID) (\(f.collection)) \(f.source) #\(f.ordinal) score \(String(format: "%.2f", f.score)) [\(f.rules)]")
                print("  \(f.snippet.split(whereSeparator: \.isNewline).joined(separator: " "))")
            }
        }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the injection scan over every chunk not yet scanned (lore ingest runs it too).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.configuration()
            try config.requireDatabase()
            let detector = try config.guardrails.injectionDetector(embedder: try await EmbedderFactory.make(config))
            let r = try await IngestScanner(
                detector: detector, threshold: config.guardrails.context.injection.threshold,
                windows: config.guardrails.context.scanWindows
            ).scan(try Store(path: config.database))
            print("scanned \(r.scanned) chunks, flagged \(r.flagged), in \(String(format: "%.2f", r.seconds)) s")
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the newest guardrail findings from the audit trail.")
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only this request's findings.")
        var requestID: String?

        @Option(name: .long, help: "At most this many. (default: 50)")
        var limit = 50

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let config = try global.configuration()
            try config.requireDatabase(hint: "pass --db")
            let records = try Store(path: config.database, readOnly: true).auditRecords(requestID: requestID, limit: limit)
            if json { print(String(decoding: try Guard.encoder().encode(records), as: UTF8.self)); return }
            let f = ISO8601DateFormatter()
            for r in records {
                print(
                    "\(f.string(from: Date(timeIntervalSince1970: r.at))) \(r.requestID) \(r.stage) \(r.rule) \(r.action)\(r.score.map { String(format: " %.2f", $0) } ?? "") \(r.excerpt)"
                )
            }
        }
    }
}
