import Foundation

/// A canary's persisted state (`canary_runs`): one row per candidate, so that a restart
/// keeps a decision and `lore canary status` reads what the server last saw.
public struct CanaryRun: Sendable, Equatable, Codable {
    /// The candidate, as `lore canary status` names it (`backend=llm`, `prompt=answer@v2 k=8`).
    public var candidate: String
    /// `running`, `promoted` or `rolled_back`.
    public var state: String
    /// Why the last decision was taken (empty while running).
    public var reason: String
    public var startedAt: Double
    public var updatedAt: Double
    public var decidedAt: Double?
    /// The comparison the server last saw, as JSON (`CanaryStats`).
    public var stats: String

    public init(
        candidate: String, state: String, reason: String = "", startedAt: Double, updatedAt: Double, decidedAt: Double? = nil,
        stats: String = "{}"
    ) {
        self.candidate = candidate
        self.state = state
        self.reason = reason
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.decidedAt = decidedAt
        self.stats = stats
    }
}

/// One canary decision (`canary_decisions`), kept beside the request log.
public struct CanaryDecisionRecord: Sendable, Equatable, Codable {
    public var candidate: String
    public var at: Double
    /// `promoted` or `rolled_back`.
    public var decision: String
    public var reason: String
    public var stats: String

    public init(candidate: String, at: Double, decision: String, reason: String, stats: String) {
        self.candidate = candidate
        self.at = at
        self.decision = decision
        self.reason = reason
        self.stats = stats
    }
}

extension Store {
    /// The run of `candidate`, or nil when none was started.
    public func canaryRun(candidate: String) throws -> CanaryRun? {
        try canaryRuns(where: "WHERE candidate = ?", [.text(candidate)]).first
    }

    /// Every run, most recently updated first.
    public func canaryRuns() throws -> [CanaryRun] { try canaryRuns(where: "", []) }

    private func canaryRuns(where clause: String, _ bindings: [SQLValue]) throws -> [CanaryRun] {
        let s = try connection.prepare(
            "SELECT candidate, state, reason, started_at, updated_at, decided_at, stats FROM canary_runs \(clause) ORDER BY updated_at DESC"
        )
        try s.bind(bindings)
        defer { s.reset() }
        var out: [CanaryRun] = []
        while try s.step() {
            out.append(
                CanaryRun(
                    candidate: s.text(0), state: s.text(1), reason: s.text(2), startedAt: s.double(3), updatedAt: s.double(4),
                    decidedAt: s.isNull(5) ? nil : s.double(5), stats: s.text(6)))
        }
        return out
    }

    /// Writes the run (insert or replace), and its decision when it records one.
    public func saveCanaryRun(_ run: CanaryRun, decision: CanaryDecisionRecord? = nil) throws {
        try connection.transaction {
            try connection.prepare(
                """
                INSERT INTO canary_runs(candidate, state, reason, started_at, updated_at, decided_at, stats)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(candidate) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                  started_at = excluded.started_at, updated_at = excluded.updated_at, decided_at = excluded.decided_at,
                  stats = excluded.stats
                """
            ).run([
                .text(run.candidate), .text(run.state), .text(run.reason), .double(run.startedAt), .double(run.updatedAt),
                run.decidedAt.map { .double($0) } ?? .null, .text(run.stats)
            ])
            if let d = decision {
                try connection.prepare("INSERT INTO canary_decisions(candidate, at, decision, reason, stats) VALUES (?, ?, ?, ?, ?)")
                    .run([.text(d.candidate), .double(d.at), .text(d.decision), .text(d.reason), .text(d.stats)])
            }
        }
    }

    /// Decisions, newest first (of one candidate, or all).
    public func canaryDecisions(candidate: String? = nil) throws -> [CanaryDecisionRecord] {
        let s = try connection.prepare(
            "SELECT candidate, at, decision, reason, stats FROM canary_decisions"
                + (candidate == nil ? "" : " WHERE candidate = ?") + " ORDER BY at DESC")
        try s.bind(candidate.map { [.text($0)] } ?? [])
        defer { s.reset() }
        var out: [CanaryDecisionRecord] = []
        while try s.step() {
            out.append(
                CanaryDecisionRecord(candidate: s.text(0), at: s.double(1), decision: s.text(2), reason: s.text(3), stats: s.text(4)))
        }
        return out
    }

    /// Forgets the run of `candidate` (its decisions stay): the next server start begins
    /// the canary again. Returns whether there was one.
    @discardableResult
    public func resetCanaryRun(candidate: String) throws -> Bool {
        try connection.prepare("DELETE FROM canary_runs WHERE candidate = ?").run([.text(candidate)])
        return connection.changes > 0
    }
}
