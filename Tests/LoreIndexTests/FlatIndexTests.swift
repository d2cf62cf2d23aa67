import LoreIndex
import Testing

/// Exact search returns exactly the brute-force answer, alone or batched, filtered or not,
/// and stays exact through removals and updates.
@Suite("Flat index")
struct FlatIndexTests {
    let data = SeededVectors(count: 3000, seed: 7)

    func filled(threshold: Int = 16_384) -> FlatIndex {
        let index = FlatIndex(dimension: data.dimension)
        index.parallelThreshold = threshold
        for i in 0..<data.count { index.add(label: Int64(i + 1), vector: data.row(i)) }
        return index
    }

    @Test("single queries return the exact top k, on one thread and split over the cores")
    func exact() {
        for threshold in [1_000_000, 1] {
            let index = filled(threshold: threshold)
            for qi in stride(from: 0, to: 3000, by: 301) {
                let q = data.row(qi)
                let hits = index.search(q, k: 10)
                #expect(hits.map(\.label) == data.exact(q, k: 10), "query \(qi), threshold \(threshold)")
                #expect(hits.first?.label == Int64(qi + 1))
                #expect(abs((hits.first?.score ?? 0) - 1) < 1e-4)
                #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score }, "best first")
            }
        }
    }

    @Test("a batch through sgemm gives the same answers as single queries")
    func batch() {
        let index = filled()
        let queries = (0..<40).flatMap { data.row($0 * 71) }
        let batch = queries.withUnsafeBufferPointer { index.search(batch: $0.baseAddress!, count: 40, k: 10) }
        for q in 0..<40 {
            let single = index.search(data.row(q * 71), k: 10)
            #expect(batch[q].map(\.label) == single.map(\.label), "query \(q)")
            for (b, s) in zip(batch[q], single) { #expect(abs(b.score - s.score) < 1e-4) }
        }
    }

    @Test("an allow-set restricts results, selective or broad")
    func filtered() {
        let index = filled()
        let q = data.row(5)
        let few: Set<Int64> = [10, 20, 30, 40]
        #expect(Set(index.search(q, k: 10, allow: few).map(\.label)) == few)
        let evens = Set(stride(from: Int64(2), through: 3000, by: 2))
        let hits = index.search(q, k: 10, allow: evens)
        #expect(hits.count == 10 && hits.allSatisfy { $0.label % 2 == 0 })
        #expect(hits.map(\.label) == data.exact(q, k: 10, excluding: Set(stride(from: Int64(1), through: 3000, by: 2))))
    }

    @Test("removed and replaced vectors are never returned; the buffer stays dense")
    func removeAndUpdate() {
        let index = filled()
        #expect(index.remove(label: 6))
        #expect(!index.remove(label: 6))
        #expect(index.count == 2999)
        let q = data.row(5)
        #expect(!index.search(q, k: 20).contains { $0.label == 6 })
        // Label 7 now carries row 5's vector.
        index.add(label: 7, vector: q)
        #expect(index.count == 2999)
        #expect(index.search(q, k: 1).first?.label == 7)
        #expect(index.search(data.row(6), k: 1).first?.label != 7)
        #expect(Set(index.labels()).count == 2999)
    }

    @Test("an empty index and k = 0 return nothing")
    func empty() {
        let index = FlatIndex(dimension: 384)
        #expect(index.search(data.row(0), k: 5).isEmpty)
        #expect(filled().search(data.row(0), k: 0).isEmpty)
    }
}
