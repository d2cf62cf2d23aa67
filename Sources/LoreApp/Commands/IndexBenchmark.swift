import Foundation
import LoreIndex
import LoreStore

/// `lore bench index`: the measurements `bench/index` compares with hnswlib and FAISS, on raw
/// float32 files of the same vectors and queries. The options are its fields.
public struct IndexBenchmark: Sendable {
    /// Base vectors and query vectors (raw little-endian float32, rows of `dim`); the exact
    /// top-k labels per query (raw int32, rows of `k`).
    public var base: String, queries: String, truth: String
    /// Dimensions, k, HNSW's M and ef_construction.
    public var dim: Int, k: Int, m: Int, efConstruction: Int
    /// Search-time ef values, comma-separated.
    public var ef: String
    /// A scratch SQLite file for the save and load measurements.
    public var db: String
    /// all or load.
    public var phase: String
    /// A directory for each measurement's result labels.
    public var labelsOut: String?
    /// Seed of the HNSW level generator; threads of the HNSW build; timed repetitions.
    public var seed: UInt64, buildThreads: Int, runs: Int

    /// A benchmark with these options.
    public init(
        base: String, queries: String, truth: String, dim: Int, k: Int, m: Int, efConstruction: Int, ef: String, db: String,
        phase: String, labelsOut: String?, seed: UInt64, buildThreads: Int, runs: Int
    ) {
        self.base = base
        self.queries = queries
        self.truth = truth
        self.dim = dim
        self.k = k
        self.m = m
        self.efConstruction = efConstruction
        self.ef = ef
        self.db = db
        self.phase = phase
        self.labelsOut = labelsOut
        self.seed = seed
        self.buildThreads = buildThreads
        self.runs = runs
    }

    /// Runs the phase: `all` (flat and HNSW search, the HNSW build, then the save) or `load`
    /// (loading the saved index in this fresh process); one JSON object.
    public func run() throws -> CommandOutput {
        var out = CommandOutput()
        switch phase {
        case "all": out.print(try runAll())
        case "load": out.print(try runLoad())
        default: throw UsageError("--phase must be all or load")
        }
        return out
    }

    static func read<T>(_ path: String, as: T.Type) throws -> [T] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(description: "cannot read \(path)") }
        return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    static func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

    static func rssKiB() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    /// Writes `results` as rows of k int32 labels (-1 pads a short row).
    func dump(_ results: [[SearchHit]], _ name: String) throws {
        guard let dir = labelsOut else { return }
        var rows = [Int32](repeating: -1, count: results.count * k)
        for (q, r) in results.enumerated() { for (j, h) in r.prefix(k).enumerated() { rows[q * k + j] = Int32(h.label) } }
        try rows.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: dir + "/" + name + ".i32")) }
    }

    func recall(_ results: [[SearchHit]], _ truth: [Int32]) -> Double {
        var hit = 0
        for (q, r) in results.enumerated() {
            let t = Set(truth[(q * k)..<((q + 1) * k)].map(Int64.init))
            hit += r.prefix(k).filter { t.contains($0.label) }.count
        }
        return Double(hit) / Double(results.count * k)
    }

    func runAll() throws -> String {
        let baseData = try Self.read(base, as: Float.self)
        let queryData = try Self.read(queries, as: Float.self)
        let truthData = try Self.read(truth, as: Int32.self)
        let n = baseData.count / dim, nq = queryData.count / dim
        let labels = (0..<n).map(Int64.init)
        var out: [String: Any] = [
            "n": n, "queries": nq, "dim": dim, "k": k, "m": m, "ef_construction": efConstruction, "threads_available": indexThreads
        ]

        // Flat.
        let flat = FlatIndex(dimension: dim, capacity: n)
        baseData.withUnsafeBufferPointer { flat.add(labels: labels, vectors: $0.baseAddress!) }
        var flatOut: [String: Any] = [:]
        for threads in [1, 2] {
            flat.threads = threads
            flat.parallelThreshold = threads == 1 ? Int.max : 0
            var times: [Double] = []
            var results: [[SearchHit]] = []
            for _ in 0..<runs {
                let t0 = Self.now()
                results = queryData.withUnsafeBufferPointer { q in (0..<nq).map { flat.search(q.baseAddress! + $0 * dim, k: k, allow: nil) }
                }
                times.append(Self.now() - t0)
            }
            flatOut["single_qps_\(threads)t"] = Double(nq) / Self.median(times)
            flatOut["recall_single"] = recall(results, truthData)
            try dump(results, "flat_single_\(threads)t")
        }
        for threads in [1, 2] {
            flat.threads = threads
            var times: [Double] = []
            var results: [[SearchHit]] = []
            for _ in 0..<runs {
                let t0 = Self.now()
                results = queryData.withUnsafeBufferPointer { flat.search(batch: $0.baseAddress!, count: nq, k: k) }
                times.append(Self.now() - t0)
            }
            flatOut["batch_qps_\(threads)t"] = Double(nq) / Self.median(times)
            flatOut["recall_batch"] = recall(results, truthData)
            try dump(results, "flat_batch_\(threads)t")
        }
        out["flat"] = flatOut

        // HNSW: build on every core, then each ef on one thread and on two.
        let rss0 = Self.rssKiB()
        let hnsw = HNSWIndex(dimension: dim, parameters: HNSWParameters(m: m, efConstruction: efConstruction, seed: seed), capacity: n)
        let t0 = Self.now()
        baseData.withUnsafeBufferPointer { hnsw.add(labels: labels, vectors: $0.baseAddress!, threads: buildThreads) }
        let buildSeconds = Self.now() - t0
        let (unreachable, live) = hnsw.unreachableLiveNodes()
        var hnswOut: [String: Any] = [
            "build_s": buildSeconds, "unreachable_nodes": unreachable, "live_nodes": live, "build_threads": buildThreads,
            "rss_after_build_mib": Double(Self.rssKiB() - rss0) / 1024, "memory_bytes": hnsw.memoryBytes
        ]
        var curve: [[String: Any]] = []
        for e in ef.split(separator: ",").compactMap({ Int($0) }) {
            var point: [String: Any] = ["ef": e]
            for threads in [1, 2] {
                var times: [Double] = []
                var results: [[SearchHit]] = []
                for _ in 0..<runs {
                    let t = Self.now()
                    results = queryData.withUnsafeBufferPointer {
                        hnsw.search(batch: $0.baseAddress!, count: nq, k: k, ef: e, threads: threads)
                    }
                    times.append(Self.now() - t)
                }
                point["qps_\(threads)t"] = Double(nq) / Self.median(times)
                point["recall"] = recall(results, truthData)
                try dump(results, "hnsw_ef\(e)")
            }
            curve.append(point)
        }
        hnswOut["curve"] = curve

        // Save into a store as `lore index` does (one collection's snapshot).
        try? FileManager.default.removeItem(atPath: db)
        let store = try Store(path: db)
        let cid = try store.collectionID(named: "bench")
        let manager = IndexManager(store: store)
        let ts = Self.now()
        try manager.saveForBenchmark(hnsw, collectionID: cid, model: EmbeddingModelInfo(id: "bench", dimension: dim))
        hnswOut["save_s"] = Self.now() - ts
        out["hnsw"] = hnswOut
        return try CommandText.json(out)
    }

    func runLoad() throws -> String {
        let store = try Store(path: db, readOnly: true)
        guard let cid = try store.existingCollectionID(named: "bench") else {
            throw CommandFailure(description: "no saved index in \(db): run --phase all first")
        }
        let manager = IndexManager(store: store)
        let rss0 = Self.rssKiB()
        let t0 = Self.now()
        let index = try manager.loadSnapshotForBenchmark(collectionID: cid)
        let seconds = Self.now() - t0
        try store.connection.execute("PRAGMA shrink_memory")
        return try CommandText.json([
            "load_s": seconds, "rss_delta_mib": Double(Self.rssKiB() - rss0) / 1024,
            "nodes": index.count, "memory_bytes": index.memoryBytes
        ])
    }
}
