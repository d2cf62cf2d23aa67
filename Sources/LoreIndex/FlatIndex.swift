import Foundation
import LoreBLAS
import Synchronization

/// Exact search: every vector is scored against the query.
///
/// Vectors live in one contiguous aligned buffer. A single query is split across the cores,
/// each scanning a share of the rows with a fused top-k (four rows per pass of the query's
/// lanes). A batch of queries goes through `sgemm` in tiles of rows, each thread keeping a
/// heap per query, merged at the end. Removal moves the last row into the hole, so the
/// buffer stays dense.
public final class FlatIndex: VectorIndex, @unchecked Sendable {
    public let kind = IndexKind.flat
    public let dimension: Int
    var rows: AlignedRows
    var rowLabels: [Int64] = []
    var rowOf: [Int64: Int] = [:]
    let lock = ReadWriteLock()
    /// Below this many rows a single query runs on one thread (waking a second costs more;
    /// at 14,700 rows splitting took a query from 1.7 to 1.0 ms on 2 cores).
    public var parallelThreshold = 8_192
    public var threads = indexThreads

    public init(dimension: Int, capacity: Int = 1024) {
        self.dimension = dimension
        rows = AlignedRows(dimension: dimension, capacity: capacity)
    }

    deinit { rows.free() }

    public var count: Int { lock.read { rowLabels.count } }
    public var tombstones: Int { 0 }
    public var memoryBytes: Int { lock.read { rows.bytes + rowLabels.capacity * 8 + rowOf.capacity * 24 } }

    public func add(label: Int64, vector: UnsafePointer<Float>) {
        lock.write {
            if let r = rowOf[label] {
                rows.row(r).update(from: vector, count: dimension)
                return
            }
            rows.reserve(rowLabels.count + 1, used: rowLabels.count)
            rows.row(rowLabels.count).update(from: vector, count: dimension)
            rowOf[label] = rowLabels.count
            rowLabels.append(label)
        }
    }

    /// Adds many vectors at once: `vectors` holds `labels.count` rows.
    public func add(labels: [Int64], vectors: UnsafePointer<Float>) {
        lock.write {
            rows.reserve(rowLabels.count + labels.count, used: rowLabels.count)
            rowOf.reserveCapacity(rowLabels.count + labels.count)
            for (i, label) in labels.enumerated() {
                let src = vectors + i * dimension
                if let r = rowOf[label] { rows.row(r).update(from: src, count: dimension); continue }
                rows.row(rowLabels.count).update(from: src, count: dimension)
                rowOf[label] = rowLabels.count
                rowLabels.append(label)
            }
        }
    }

    @discardableResult
    public func remove(label: Int64) -> Bool {
        lock.write {
            guard let r = rowOf.removeValue(forKey: label) else { return false }
            let last = rowLabels.count - 1
            if r != last {
                rows.row(r).update(from: rows.row(last), count: dimension)
                rowLabels[r] = rowLabels[last]
                rowOf[rowLabels[r]] = r
            }
            rowLabels.removeLast()
            return true
        }
    }

    public func contains(label: Int64) -> Bool { lock.read { rowOf[label] != nil } }
    public func labels() -> [Int64] { lock.read { rowLabels } }

    /// A copy of the stored vector of `label`.
    public func vector(label: Int64) -> [Float]? {
        lock.read {
            guard let r = rowOf[label] else { return nil }
            return Array(UnsafeBufferPointer(start: rows.row(r), count: dimension))
        }
    }

    public func search(_ query: UnsafePointer<Float>, k: Int, allow: AllowSet?) -> [SearchHit] {
        lock.read {
            let n = rowLabels.count
            guard k > 0, n > 0 else { return [] }
            // A selective filter: score only the allowed rows.
            if let allow, allow.count * 8 < n {
                var top = TopK(k: k)
                for label in allow {
                    guard let r = rowOf[label] else { continue }
                    top.push(VectorKernels.dot(query, rows.row(r), dimension), label)
                }
                return top.sorted()
            }
            let parts = n >= parallelThreshold ? threads : 1
            if parts == 1 { return scan(query, 0..<n, k: k, allow: allow).sorted() }
            let partial = UnsafeMutableBufferPointer<TopK>.allocate(capacity: parts)
            defer { partial.deallocate() }
            parallelFor(parts) { p in
                (partial.baseAddress! + p).initialize(to: scan(query, (n * p / parts)..<(n * (p + 1) / parts), k: k, allow: allow))
            }
            var top = partial[0]
            for p in 1..<parts { top.merge(partial[p]) }
            _ = partial.baseAddress!.deinitialize(count: parts)
            return top.sorted()
        }
    }

    /// Scores `range` of the rows in blocks, keeping the best `k`.
    private func scan(_ query: UnsafePointer<Float>, _ range: Range<Int>, k: Int, allow: AllowSet?) -> TopK {
        var top = TopK(k: k)
        let block = 256
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { scores in
            var start = range.lowerBound
            while start < range.upperBound {
                let m = min(block, range.upperBound - start)
                VectorKernels.dots(query, rows: rows.row(start), count: m, n: dimension, stride: dimension, into: scores.baseAddress!)
                var threshold = top.threshold
                for i in 0..<m where scores[i] > threshold {
                    let label = rowLabels[start + i]
                    if let allow, !allow.contains(label) { continue }
                    top.push(scores[i], label)
                    threshold = top.threshold
                }
                start += m
            }
        }
        return top
    }

    /// Searches a batch of queries (`count` rows of `dimension` floats) with `sgemm` over
    /// tiles of rows; the tiles are shared among the cores.
    public func search(batch queries: UnsafePointer<Float>, count nq: Int, k: Int) -> [[SearchHit]] {
        lock.read {
            let n = rowLabels.count
            guard nq > 0 else { return [] }
            guard k > 0, n > 0 else { return Array(repeating: [], count: nq) }
            let rowTile = 1024, queryTile = min(nq, 1024)
            let tiles = (n + rowTile - 1) / rowTile
            let parts = max(1, min(threads, tiles))
            let results = Mutex(Array(repeating: TopK(k: k), count: nq))
            parallelFor(parts) { p in
                var local = Array(repeating: TopK(k: k), count: nq)
                let scores = AlignedRows.allocate(queryTile * rowTile)
                defer { scores.deallocate() }
                var q0 = 0
                while q0 < nq {
                    let qn = min(queryTile, nq - q0)
                    for t in stride(from: tiles * p / parts, to: tiles * (p + 1) / parts, by: 1) {
                        let r0 = t * rowTile, rn = min(rowTile, n - r0)
                        BLAS.gemm(
                            m: qn, n: rn, k: dimension, a: queries + q0 * dimension, lda: dimension,
                            b: rows.row(r0), ldb: dimension, transB: true, c: scores, ldc: rn)
                        for q in 0..<qn {
                            let s = scores + q * rn
                            var threshold = local[q0 + q].threshold
                            for i in 0..<rn where s[i] > threshold {
                                local[q0 + q].push(s[i], rowLabels[r0 + i])
                                threshold = local[q0 + q].threshold
                            }
                        }
                    }
                    q0 += qn
                }
                results.withLock { (results: inout [TopK]) in for q in 0..<nq { results[q].merge(local[q]) } }
            }
            return results.withLock { (results: inout [TopK]) in results.map { $0.sorted() } }
        }
    }
}
