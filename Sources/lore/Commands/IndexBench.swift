import ArgumentParser
import LoreApp
import LoreIndex

/// `lore bench index`: the measurements `bench/index` compares with hnswlib and FAISS, on
/// raw float32 files of the same vectors and queries.
struct IndexBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "Flat and HNSW search, build, save, load and memory.")

    @Option(name: .long, help: "Base vectors: raw little-endian float32, rows of --dim.")
    var base: String

    @Option(name: .long, help: "Query vectors, same format.")
    var queries: String

    @Option(name: .long, help: "Exact top-k labels (row numbers) per query: raw int32, rows of --k.")
    var truth: String

    @Option(name: .long) var dim = 384
    @Option(name: .long) var k = 10
    @Option(name: .long) var m = 16
    @Option(name: .long) var efConstruction = 200
    @Option(name: .long, help: "Search-time ef values, comma-separated.")
    var ef = "10,16,24,32,48,64,96,128,256"

    @Option(name: .long, help: "A scratch SQLite file for the save and load measurements.")
    var db: String

    @Option(name: .long, help: "Phase: all (search and build, then save), or load (load the saved index in this fresh process).")
    var phase = "all"

    @Option(
        name: .long,
        help:
            "A directory to write each measurement's result labels to (raw int32, rows of k), so that the caller scores every library alike."
    )
    var labelsOut: String?

    @Option(name: .long, help: "Seed of the HNSW level generator.")
    var seed: UInt64 = 100

    @Option(name: .long, help: "Threads for the HNSW build (default: every core).")
    var buildThreads = indexThreads

    @Option(name: .long, help: "Timed repetitions of each measurement (median reported).")
    var runs = 3

    func run() throws {
        let benchmark = IndexBenchmark(
            base: base, queries: queries, truth: truth, dim: dim, k: k, m: m, efConstruction: efConstruction, ef: ef, db: db, phase: phase,
            labelsOut: labelsOut, seed: seed, buildThreads: buildThreads, runs: runs)
        try Output.emit { try benchmark.run() }
    }
}
