import LoreQuery
import Metrics

/// The pipeline's metrics, recorded once per finished answer whichever route served it:
///
/// - `lore_query_stage_duration_seconds{stage}`: `condense`, `embed`, `retrieve`,
///   `guardrails`, `generate` and `total` (histograms with Prometheus);
/// - `lore_time_to_first_token_seconds{backend}`: from the request to the answer's first text;
/// - `lore_tokens_total{backend,kind}`: `prompt` and `completion` tokens;
/// - `lore_answers_total{backend,finish_reason}`: `stop`, `length`, `refused`, `blocked`...;
/// - `lore_guardrail_findings_total{stage,rule,action}`.
enum QueryMetrics {
    static func record(_ response: QueryResponse) {
        let t = response.timingsMs
        let stages: [(String, Double)] = [
            ("condense", t.condense), ("embed", t.embed), ("retrieve", t.retrieve), ("guardrails", t.guardrails),
            ("generate", t.generate), ("total", t.total),
        ]
        for (stage, ms) in stages where stage == "total" || ms > 0 {
            Timer(label: "lore_query_stage_duration_seconds", dimensions: [("stage", stage)]).recordNanoseconds(Int64(ms * 1_000_000))
        }
        let backend = response.backend
        if let first = t.firstToken {
            Timer(label: "lore_time_to_first_token_seconds", dimensions: [("backend", backend)]).recordNanoseconds(Int64(first * 1_000_000))
        }
        if response.usage.promptTokens > 0 {
            Counter(label: "lore_tokens_total", dimensions: [("backend", backend), ("kind", "prompt")]).increment(by: response.usage.promptTokens)
        }
        if response.usage.completionTokens > 0 {
            Counter(label: "lore_tokens_total", dimensions: [("backend", backend), ("kind", "completion")]).increment(by: response.usage.completionTokens)
        }
        Counter(label: "lore_answers_total", dimensions: [("backend", backend), ("finish_reason", response.finishReason)]).increment()
        record(response.guardrailFindings)
    }

    /// Counts guardrail findings (also those of a retrieval that never reached an answer).
    static func record(_ findings: [GuardFinding]) {
        for f in findings {
            Counter(label: "lore_guardrail_findings_total", dimensions: [("stage", f.stage), ("rule", f.rule), ("action", f.action.rawValue)])
                .increment()
        }
    }
}
