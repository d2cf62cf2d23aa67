import Foundation
import LoreCore
import LoreRetrieval
import LoreStore
import LoreTestSupport
import Testing

/// Hybrid retrieval over the real corpus, with the real embedder: each mode finds the
/// document that answers, filters apply before ranking, hostile text is harmless, and an
/// unrelated question counts as insufficient context.
@Suite("Retriever over corpus/", .serialized)
struct RetrieverTests {
    let fixture = CorpusFixture.shared

    func files(_ r: RetrievalResult) -> [String] { r.passages.map { CorpusFixture.file($0.source) } }

    @Test("every mode ranks the answering document first", arguments: RetrievalMode.allCases)
    func modes(mode: RetrievalMode) async throws {
        let (_, _, retriever) = try fixture.open()
        var options = RetrievalOptions()
        options.mode = mode
        let r = try await retriever.retrieve("What does write-ahead logging let readers do while a writer commits?", options: options)
        #expect(files(r).first == "sqlite-wal-mode.txt", "\(files(r))")
        #expect(r.passages.count <= options.k && !r.passages.isEmpty)
        #expect(r.sufficient)
        switch mode {
        case .dense: #expect(r.lexicalCandidates == 0 && r.denseCandidates > 0)
        case .lexical: #expect(r.denseCandidates == 0 && r.lexicalCandidates > 0)
        case .hybrid: #expect(r.denseCandidates > 0 && r.lexicalCandidates > 0)
        }
    }

    @Test("hybrid fuses both lists: a passage's ranks come from the lists that had it")
    func fusedRanks() async throws {
        let (_, _, retriever) = try fixture.open()
        let r = try await retriever.retrieve("reciprocal rank fusion of BM25 and vector results")
        #expect(r.passages.contains { $0.denseRank != nil && $0.lexicalRank != nil })
        #expect(r.fusedCandidates >= max(r.denseCandidates, r.lexicalCandidates))
        #expect(r.fusedCandidates <= r.denseCandidates + r.lexicalCandidates)
    }

    @Test("filters restrict both lists before ranking: source glob, format, metadata")
    func filters() async throws {
        let (_, _, retriever) = try fixture.open()
        let question = "How long does the recipe take and who wrote it?"
        var options = RetrievalOptions()
        options.filter = ChunkFilter(formats: [.json])
        var r = try await retriever.retrieve(question, options: options)
        #expect(!r.passages.isEmpty && r.passages.allSatisfy { $0.format == "json" })
        #expect(r.filteredTo != nil)

        options.filter = ChunkFilter(sources: ["*/notes/*"])
        r = try await retriever.retrieve(question, options: options)
        #expect(!r.passages.isEmpty && r.passages.allSatisfy { $0.source.contains("/notes/") }, "\(files(r))")

        options.filter = ChunkFilter(metadata: [(key: "author", value: "Priya Raman")])
        let lentils = "Which recipe cooks red lentils?"
        for mode in RetrievalMode.allCases {
            options.mode = mode
            r = try await retriever.retrieve(lentils, options: options)
            #expect(!r.passages.isEmpty, "\(mode)")
            #expect(r.passages.allSatisfy { ["recipes.json"].contains(CorpusFixture.file($0.source)) }, "\(mode): \(files(r))")
        }
        // Only r4 and r6 are Priya Raman's; the records are sources #4 and #6.
        #expect(Set(r.passages.map { $0.source.split(separator: "#").last.map(String.init) ?? "" }).isSubset(of: ["4", "6"]))

        options.filter = ChunkFilter(metadata: [(key: "author", value: "Nobody At All")])
        r = try await retriever.retrieve(question, options: options)
        #expect(r.passages.isEmpty && !r.sufficient)
    }

    @Test(
        "FTS5 syntax in a question is plain text in every mode",
        arguments: [
            "\"unbalanced quote about WAL", "NEAR(write ahead) log", "text:checkpoint OR", "wal* AND NOT", "^start -minus +plus",
            "(((", "col:\"x\" }{", "*", "AND OR NOT", "日本語 🚀 WAL"
        ])
    func hostile(question: String) async throws {
        let (_, _, retriever) = try fixture.open()
        for mode in RetrievalMode.allCases {
            var options = RetrievalOptions()
            options.mode = mode
            _ = try await retriever.retrieve(question, options: options)
        }
    }

    @Test("a question the corpus does not cover counts as insufficient context; one it covers does not")
    func threshold() async throws {
        let (_, _, retriever) = try fixture.open()
        let off = try await retriever.retrieve("Which football club won the 1987 league championship in Argentina?")
        #expect(!off.sufficient, "best relevance \(off.bestRelevance ?? -1)")
        let on = try await retriever.retrieve("When does Lore switch from the flat index to HNSW?")
        #expect(on.sufficient, "best relevance \(on.bestRelevance ?? -1)")
        #expect((on.bestRelevance ?? 0) > (off.bestRelevance ?? 1))
        // The threshold is a setting: at -1 everything is sufficient.
        var options = RetrievalOptions()
        options.minRelevance = -1
        options.requireNames = false
        #expect(
            try await retriever.retrieve("Which football club won the 1987 league championship in Argentina?", options: options).sufficient)
    }

    @Test("a question whose subject the corpus never mentions is insufficient context, however close its other words are")
    func unknownSubject() async throws {
        let (_, _, retriever) = try fixture.open()
        let question = "How do I configure Hazelcast to stream write-ahead log frames to a replica?"
        let r = try await retriever.retrieve(question)
        #expect(!r.sufficient && r.unknownNames == ["Hazelcast"] && r.contextNames.isEmpty, "\(r.unknownNames) \(r.contextNames)")
        // Names the corpus does mention pass: a proper noun, an acronym, an identifier.
        let named = try await retriever.retrieve("How does Lore's HNSW index use cblas_sgemv for exact search?")
        #expect(named.unknownNames.isEmpty && named.sufficient, "\(named.unknownNames)")
        // Identifiers and hyphenated compounds with an unknown part are names too.
        let identifier = try await retriever.retrieve("Does the WAL note describe sqlite3_wal_autocheckpoint_v9 or sqlite-vss?")
        #expect(
            !identifier.sufficient && Set(identifier.unknownNames) == ["sqlite3_wal_autocheckpoint_v9", "sqlite-vss"],
            "\(identifier.unknownNames)")
        // The check is a setting.
        var options = RetrievalOptions()
        options.requireNames = false
        let off = try await retriever.retrieve(question, options: options)
        #expect(off.unknownNames.isEmpty)
    }

    @Test(
        "a name that is only context (a colleague, the user's own stack) refuses nothing",
        arguments: [
            "My colleague Maria thinks WAL mode makes readers block the writer. Is she right?",
            "Our Kubernetes cron job reads the database while another pod writes. In write-ahead logging mode, do readers block the writer?",
            "Do readers block the writer in WAL mode on our Nomad cluster?"
        ])
    func contextNames(_ question: String) async throws {
        let (_, _, retriever) = try fixture.open()
        let r = try await retriever.retrieve(question)
        #expect(r.sufficient && r.unknownNames.isEmpty && !r.contextNames.isEmpty, "unknown \(r.unknownNames), context \(r.contextNames)")
        #expect(files(r).first == "sqlite-wal-mode.txt", "\(files(r))")
    }

    @Test("no passage repeats text: overlapping chunks of a document come back merged")
    func noRepeats() async throws {
        let (_, _, retriever) = try fixture.open()
        var options = RetrievalOptions()
        options.k = 10
        options.fetchK = 40
        options.lambda = 1  // relevance only, so neighbouring chunks of one document are likely picked together
        let r = try await retriever.retrieve("chunk size overlap tokens heading-aware chunking", options: options)
        for a in r.passages {
            for b in r.passages where a.chunkIDs != b.chunkIDs && a.documentID == b.documentID {
                #expect(!a.range.overlaps(b.range), "\(a.chunkIDs) \(a.range) overlaps \(b.chunkIDs) \(b.range)")
            }
        }
        #expect(Set(r.passages.flatMap(\.chunkIDs)).count == r.passages.flatMap(\.chunkIDs).count)
    }

    @Test("bad parameters name the parameter")
    func badParameters() async throws {
        let (_, _, retriever) = try fixture.open()
        var options = RetrievalOptions()
        options.k = 0
        await #expect(throws: RetrievalError.self) { try await retriever.retrieve("x", options: options) }
        options = RetrievalOptions()
        options.lambda = 2
        do { _ = try await retriever.retrieve("x", options: options); Issue.record("accepted lambda 2") } catch {
            #expect("\(error)".contains("lambda"))
        }
        options = RetrievalOptions()
        options.commonTermShare = 0
        do { _ = try await retriever.retrieve("x", options: options); Issue.record("accepted common_term_share 0") } catch {
            #expect("\(error)".contains("common_term_share"))
        }
    }

    @Test("a query embedder other than the collection's model is refused")
    func modelMismatch() throws {
        struct Other: Embedder {
            var modelID: String { "other-model" }
            var dimension: Int { 384 }
            func embed(_ texts: [String]) async throws -> [[Float]] { texts.map { _ in [Float](repeating: 0, count: 384) } }
        }
        do { _ = try fixture.open(embedder: Other()); Issue.record("accepted another model") } catch {
            #expect("\(error)".contains("all-MiniLM-L6-v2") && "\(error)".contains("other-model"))
        }
    }
}
