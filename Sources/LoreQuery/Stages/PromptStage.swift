import Foundation
import LorePrompts
import LoreRetrieval

/// The numbered sources within the prompt template's token budget, and the citations the
/// response lists for them (sent to the client as the `retrieval` event).
public struct PromptStage: Sendable {
    public let assembler: ContextAssembler

    public init(assembler: ContextAssembler) { self.assembler = assembler }

    public func run(_ passages: [Passage], _ run: inout QueryRun) -> (context: AssembledContext, citations: [Citation]) {
        let ranked = passages.enumerated().map { $1.contextSource(number: $0 + 1) }
        let assembled = assembler.assemble(ranked, for: run.template)
        let byChunk = Dictionary(passages.map { ($0.chunkIDs[0], $0) }, uniquingKeysWith: { a, _ in a })
        let citations = assembled.sources.map { s in
            let passage = byChunk[s.chunkID]
            let at = Citation.location(format: passage?.format ?? "", page: passage?.page, headingPath: s.headingPath)
            return Citation(
                n: s.number, source: s.source, title: s.title, headingPath: s.headingPath, chunkID: s.chunkID,
                chunkIDs: passage?.chunkIDs ?? [s.chunkID], score: passage?.score ?? s.score, relevance: passage?.relevance,
                snippet: QueryService.snippet(s.text), cited: false, page: at.page, slide: at.slide, sheet: at.sheet)
        }
        run.emit(.retrieval(citations))
        return (assembled, citations)
    }
}
