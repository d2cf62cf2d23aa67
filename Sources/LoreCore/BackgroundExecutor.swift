import Foundation

/// Where background work runs: a task executor on one thread of its own at the lowest
/// scheduling priority (nice 19; on Linux the nice value is per thread), so that work nobody
/// waits for (the shadow candidate) takes the cores' idle time and not a request's.
///
/// A task that runs with `withTaskExecutorPreference(executor)` keeps to it, and so do its
/// child tasks; the unstructured tasks the pipeline starts (`QueryService.run`, the
/// extractive answerer) follow it through `BackgroundExecutor.preferred`, a task local, which
/// they pass to `Task(executorPreference:)`.
public final class BackgroundExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor that unstructured tasks started by the current task should prefer (nil:
    /// the global concurrent executor).
    @TaskLocal public static var preferred: BackgroundExecutor?

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// Starts the thread (it lives as long as the process).
    public init(name: String, nice: Int32 = 19) {
        let thread = Thread { [self] in
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on this executor, with the unstructured tasks it starts preferring it too.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        try await Self.$preferred.withValue(self) {
            try await withTaskExecutorPreference(self) { try await body() }
        }
    }
}
