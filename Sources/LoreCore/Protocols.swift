/// Counts and splits text in the units of an embedding model's tokenizer.
///
/// The chunker measures sizes with it, so that no chunk exceeds what the model can embed.
public protocol TokenCounter: Sendable {
    /// Splits `bytes` (UTF-8) into the pre-tokens the model's tokenizer would see (words and
    /// punctuation), calling `body` with each pre-token's byte range and its number of tokens.
    /// Token counts are additive over pre-tokens: the count of a span whose ends fall on
    /// pre-token boundaries is the sum of its pre-tokens' counts.
    func forEachPretoken(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Int) -> Void)
    /// Number of tokens in `text`, without special tokens.
    func countTokens(_ text: String) -> Int
    /// The most tokens one input may hold, special tokens included.
    var maxSequenceLength: Int { get }
    /// Special tokens added around every input (2 for BERT: `[CLS]` and `[SEP]`).
    var specialTokenCount: Int { get }
}

/// Options that shape how loaders read records.
public struct LoadOptions: Sendable {
    /// Field (JSON) or column (CSV) that holds a record's text.
    public var textField: String?

    public init(textField: String? = nil) { self.textField = textField }
}

/// Splits a document into chunks.
public protocol Chunker: Sendable {
    func chunk(_ document: Document) -> [Chunk]
}

/// Turns texts into vectors. The in-process MiniLM and the OpenAI-compatible client
/// implement it; the ingestor and the query pipeline depend only on this.
public protocol Embedder: Sendable {
    /// Identifies the model, e.g. `all-MiniLM-L6-v2`; recorded with every vector.
    var modelID: String { get }
    var dimension: Int { get }
    /// One L2-normalised vector per text, in order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

/// An embedder in front of another of the same model (a cache, shared batches): the vectors
/// are the inner one's, up to rounding (a shared batch can take another kernel path).
public protocol EmbedderWrapper: Embedder {
    /// The embedder behind this one.
    var wrapped: any Embedder { get }
}

extension Embedder {
    /// The embedder behind every wrapper: the one that gives a text the same vector every
    /// time, whatever else is embedded at the moment (`/v1/embeddings` uses it, so it answers
    /// exactly what `lore embed` prints).
    public var innermost: any Embedder { (self as? any EmbedderWrapper)?.wrapped.innermost ?? self }
}

/// An embedder that computes in process, on the calling thread (the in-process model):
/// what `SharedBatches` needs to run a batch on a thread of its own with a given number of
/// cores.
public protocol SynchronousEmbedder: Embedder {
    /// The cores a call uses by default.
    var parallelism: Int { get }
    /// One L2-normalised vector per text, in order, computed on the calling thread with up
    /// to `parallelism` threads (nil: the default).
    func embedSync(_ texts: [String], parallelism: Int?) -> [[Float]]
}
