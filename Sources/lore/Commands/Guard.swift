import ArgumentParser
import Foundation
import LoreCore
import LoreGuardrails
import LoreQuery
import LoreStore

/// `lore guard check|eval|flagged|scan|audit`
struct Guard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Check text against the guardrail policy, measure the rules, and list what they found.",
        subcommands: [Check.self, Eval.self, Flagged.self, Scan.self, Audit.self]
    )

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the rules find in TEXT, as a question (input rails), a document passage (injection scan), or an answer (output rails).")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The text to check.")
        var text: String

        @Option(name: .customLong("as"), help: "question, document or answer. (default: question)")
        var kind = "question"

        @Option(name: .long, help: "For --as answer: how many sources the answer was given, numbered 1...N (invented citations are those above N). (default: 5)")
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
            let guards = PolicyGuards(policy: policy)
            let given = (0..<max(0, sources)).map {
                ContextSource(number: $0 + 1, chunkID: Int64($0 + 1), source: "source-\($0 + 1)", title: "", headingPath: "", text: "", score: 0)
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
            abstract: "Detection and false-positive rates of each rule family on the labelled sets (and of the citation-support check on a store).")
        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The directory with pii.jsonl and injection.jsonl.")
        var sets = "Tests/Fixtures/guardrails"

        @Option(name: .long, help: "Injection lines to use: all, dev (odd ids, which the rules were tuned on) or test (even ids, held out). (default: all)")
        var half = "all"

        @Flag(name: .long, help: "Also measure the citation-support check on sentences drawn from the database's chunks.")
        var support = false

        @Option(name: .long, help: "Write the report as JSON to this file.")
        var report: String?

        @Flag(name: .long, help: "List every miss and false positive.")
        var verbose = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try global.configuration()
            let policy = config.guardrails
            let e = GuardEvaluation()
            var r = GuardEvaluation.Report()
            r.pii = try e.evaluatePII((sets as NSString).appendingPathComponent("pii.jsonl"))
            guard let part = GuardEvaluation.Half(rawValue: half) else { throw ValidationError("--half must be all, dev or test, not \(half)") }
            r.injection = try e.evaluateInjection((sets as NSString).appendingPathComponent("injection.jsonl"),
                                                  threshold: policy.input.injection.threshold ?? 0.5, half: part)
            if support {
                try config.requireDatabase(hint: "--support draws sentences from a store (pass --db)")
                let store = try Store(path: config.database, readOnly: true)
                let s = try store.connection.prepare("SELECT document_id, text FROM chunks ORDER BY id")
                var chunks: [(document: Int64, text: String)] = []
                while try s.step() { chunks.append((s.int(0), s.text(1))) }
                r.support = e.evaluateSupport(chunks: chunks, threshold: policy.output.unsupported.threshold ?? 0.2)
            }
            let data = try Guard.encoder().encode(r)
            if let report { try data.write(to: URL(fileURLWithPath: report)) }
            if json { print(String(decoding: data, as: UTF8.self)); return }
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s.padding(toLength: n, withPad: " ", startingAt: 0) }
            func f3(_ x: Double) -> String { String(format: "%.3f", x) }
            print(pad("rule family", 22) + pad("set", 36) + pad("detection", 18) + pad("false positives", 22) + "p50 µs")
            if let p = r.pii {
                print(pad("pii + secrets", 22) + pad("\(p.positives) items, \(p.lookalikes) look-alikes", 36) + pad("recall " + f3(p.recall), 18)
                      + pad("precision " + f3(p.precision), 22) + String(format: "%.1f", p.microsecondsP50))
                print(pad("", 22) + pad("", 36) + pad("", 18) + "look-alikes hit " + f3(p.lookalikeFalsePositiveRate))
                for (name, f) in p.families.sorted(by: { $0.key < $1.key }) {
                    print(pad("  " + name.replacingOccurrences(of: "_", with: " "), 22) + pad("\(f.items) items", 36) + pad("recall " + f3(f.recall), 18)
                          + "precision " + f3(f.precision))
                }
                for (kind, rate) in p.recallByKind.sorted(by: { $0.key < $1.key }) {
                    print(pad("  " + kind, 22) + pad("", 36) + "\(rate.hits)/\(rate.total)")
                }
            }
            if let i = r.injection {
                print(pad(half == "all" ? "prompt injection" : "injection (\(half))", 22) + pad("\(i.attacks) attempts, \(i.benign) benign", 36) + pad("rate " + f3(i.detectionRate), 18)
                      + pad("rate " + f3(i.falsePositiveRate), 22) + String(format: "%.1f", i.microsecondsP50))
                for (w, rate) in i.detectionByWhere.sorted(by: { $0.key < $1.key }) {
                    let fp = i.falsePositiveByWhere[w]
                    print(pad("  in a " + w, 22) + pad("", 36) + pad("\(rate.hits)/\(rate.total)", 18) + "\(fp?.hits ?? 0)/\(fp?.total ?? 0)")
                }
                let langs = i.detectionByLanguage.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value.hits)/\($0.value.total)" }
                print("  by language: " + langs.joined(separator: ", "))
            }
            if let s = r.support {
                print(pad("unsupported citation", 22) + pad("\(s.pairs) sentence pairs, overlap < \(s.threshold)", 36) + pad("rate " + f3(s.detectionRate), 18)
                      + pad("rate " + f3(s.falsePositiveRate), 22) + String(format: "%.1f", s.microsecondsP50))
            }
            if verbose {
                for m in r.pii?.missed ?? [] { print("pii missed: \(m)") }
                for m in r.pii?.falsePositives ?? [] { print("pii false positive: \(m)") }
                for m in r.injection?.missed ?? [] { print("injection missed: \(m)") }
                for m in r.injection?.falsePositives ?? [] { print("injection false positive: \(m)") }
            }
        }
    }

    struct Flagged: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the chunks the ingest-time scan flagged for instructions aimed at the model.")
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
                print("chunk \(f.chunkID) (\(f.collection)) \(f.source) #\(f.ordinal) score \(String(format: "%.2f", f.score)) [\(f.rules)]")
                print("  \(f.snippet.split(whereSeparator: \.isNewline).joined(separator: " "))")
            }
        }
    }

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the injection scan over every chunk not yet scanned (lore ingest runs it too).")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let config = try global.configuration()
            try config.requireDatabase()
            let r = try IngestScanner(threshold: config.guardrails.context.injection.threshold ?? 0.5).scan(try Store(path: config.database))
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
                print("\(f.string(from: Date(timeIntervalSince1970: r.at))) \(r.requestID) \(r.stage) \(r.rule) \(r.action)\(r.score.map { String(format: " %.2f", $0) } ?? "") \(r.excerpt)")
            }
        }
    }
}
