import Foundation
import LoreBLAS
import LoreCore
import Synchronization

/// all-MiniLM-L6-v2 in process: WordPiece tokenisation, the BERT encoder on BLAS, mean
/// pooling and L2 normalisation, as sentence-transformers computes it.
///
/// Texts are sorted by token count and cut into batches, so short texts never wait for long
/// ones; batches run in parallel, one per core, each with a single-threaded BLAS.
public final class MiniLMEmbedder: SynchronousEmbedder, @unchecked Sendable {
    public let modelID = "all-MiniLM-L6-v2"
    public var dimension: Int { encoder.weights.config.hiddenSize }
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder
    /// Texts per batch (default 32).
    public let batchSize: Int
    /// Batches run at once (default: the number of cores).
    public let parallelism: Int

    /// How the encoder's linear layers multiply (fp32 on BLAS, or bf16 on AMX tiles).
    public var kernel: EncoderKernel { encoder.weights.kernel }

    /// Loads the model from a directory such as `models/all-MiniLM-L6-v2`.
    /// - Parameter kernel: the linear layers' kernel; nil for `LORE_EMBED_KERNEL`'s (by
    ///   default bf16 where the CPU has AMX tiles, fp32 elsewhere).
    public init(
        modelDirectory: String, batchSize: Int = 32, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
        kernel: EncoderKernel? = nil
    ) throws {
        let config = try BertConfig(contentsOf: modelDirectory + "/config.json")
        let file = try SafeTensors(path: modelDirectory + "/model.safetensors")
        encoder = BertEncoder(weights: try BertWeights(file: file, config: config, kernel: try kernel ?? EncoderKernel.fromEnvironment()))
        tokenizer = try WordPieceTokenizer(modelDirectory: modelDirectory, maxSequenceLength: 256)
        self.batchSize = max(1, batchSize)
        self.parallelism = max(1, parallelism)
        try BLAS.prepare()
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        // Background work (the shadow candidate) stays on its low-priority thread, one core.
        if BackgroundExecutor.preferred != nil { return embedSync(texts, parallelism: 1) }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: self.embedSync(texts))
            }
        }
    }

    /// The same, on the calling thread (parallel batches still use `parallelism` cores,
    /// every core by default).
    public func embedSync(_ texts: [String], parallelism: Int? = nil) -> [[Float]] {
        let parallelism = parallelism.map { max(1, $0) } ?? self.parallelism
        let ids = texts.map { tokenizer.encode($0) }
        let order = ids.indices.sorted { ids[$0].count < ids[$1].count }
        let batches = stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
        let results = ResultSlots(count: texts.count)
        let next = Counter()
        // One batch per core; with fewer batches than cores (a query), each batch is split
        // over the cores it leaves free.
        let concurrent = min(parallelism, max(1, batches.count))
        let shared = max(1, parallelism / concurrent)
        // A lone text (a query) is split over the cores by default: with the few-row kernel
        // each thread streams the weights for its rows, which measured faster for one client
        // (hybrid p50 11.8 against 12.8 ms on 2 cores) even with the lexical search beside
        // it. Under many concurrent queries one thread each wastes less in hand-offs:
        // LORE_EMBED_SHORT_TEXT=N keeps lone texts of up to N tokens on one thread.
        let threadsPerBatch = ids.count == 1 && ids[0].count <= Self.shortText ? 1 : shared
        let work: @Sendable () -> Void = { [encoder] in
            while let b = next.take(below: batches.count) {
                let batch = batches[b]
                let pooled = encoder.meanPooled(batch.map { ids[$0] }, threads: threadsPerBatch)
                for (k, index) in batch.enumerated() { results.set(index, Self.normalized(pooled[k])) }
            }
        }
        if concurrent == 1 { work() } else { DispatchQueue.concurrentPerform(iterations: concurrent) { _ in work() } }
        return results.values
    }

    /// Tokens up to which a lone text is embedded on one thread (0: always split).
    static let shortText: Int = ProcessInfo.processInfo.environment["LORE_EMBED_SHORT_TEXT"].flatMap { Int($0) } ?? 0

    static func normalized(_ v: [Float]) -> [Float] {
        var norm: Float = 0
        for x in v { norm += x * x }
        let inv = 1 / max(norm.squareRoot(), 1e-12)
        return v.map { $0 * inv }
    }
}

/// A shared counter handing out batch numbers.
private final class Counter: @unchecked Sendable {
    private let value = Mutex(0)
    func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}

/// Output slots written by several threads, each slot once.
private final class ResultSlots: @unchecked Sendable {
    private let slots: Mutex<[[Float]]>
    init(count: Int) { slots = Mutex(Array(repeating: [], count: count)) }
    func set(_ i: Int, _ v: [Float]) { slots.withLock { $0[i] = v } }
    var values: [[Float]] { slots.withLock { $0 } }
}
