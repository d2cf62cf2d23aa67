import Foundation

/// One evaluation run as written to `--report FILE.json`: the configuration, `metrics` keyed
/// by metric name (`hit@5`, `recall@5`, `mrr@10`, ...), the failed checks and every question.
/// Keys are snake_case on disk (explicit coding keys: metric names are kept verbatim); `EvalReport.read` reads a report back (for charts and
/// comparisons across runs).
public struct EvalReport: Sendable, Codable {
    /// A short name for the run in tables and charts (`hybrid`, `prompt=answer@v2`, a file name).
    public var label: String
    public var set: String
    public var k: Int
    public var mode: String
    public var prompt: String?
    public var backend: String
    /// When the run finished (ISO 8601), so that charts can order runs.
    public var createdAt: String
    public var metrics: [String: Double]
    public var failures: [GateFailure]
    public var questions: [EvalRunner.QuestionResult]

    enum CodingKeys: String, CodingKey {
        case label, set, k, mode, prompt, backend, metrics, failures, questions
        case createdAt = "created_at"
    }

    public init(
        label: String, set: String, k: Int, mode: String, prompt: String?, backend: String,
        createdAt: String = ISO8601DateFormatter().string(from: Date()),
        metrics: [String: Double], failures: [GateFailure], questions: [EvalRunner.QuestionResult]
    ) {
        self.label = label
        self.set = set
        self.k = k
        self.mode = mode
        self.prompt = prompt
        self.backend = backend
        self.createdAt = createdAt
        self.metrics = metrics
        self.failures = failures
        self.questions = questions
    }

    /// The encoder every report file is written with.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return encoder
    }

    /// Reads a report file; the error names the file.
    public static func read(_ path: String) throws -> EvalReport {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvalError("\(path): no such report") }
        let decoder = JSONDecoder()
        do { return try decoder.decode(EvalReport.self, from: data) } catch {
            throw EvalError("\(path): not an evaluation report (\(error))")
        }
    }
}
