"""Reference implementations of reciprocal rank fusion and maximal marginal relevance.

Lore's Swift implementation is checked against these functions in its benchmark
scripts. They favour clarity over speed: vectors are plain lists of floats that are
assumed to be L2-normalized, so the dot product equals cosine similarity.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, Hashable, List, Sequence

RRF_K = 60          # damping constant from Cormack et al. (2009)
MMR_LAMBDA = 0.7    # weight of relevance versus diversity
MMR_SELECT = 8      # chunks placed in the prompt by default


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two unit vectors."""
    return sum(x * y for x, y in zip(a, b))


def reciprocal_rank_fusion(rankings: List[List[Hashable]], k: int = RRF_K) -> List[tuple]:
    """Fuse several ranked lists of ids into one list of (id, score), best first.

    Only ranks matter, never raw scores, so BM25 scores and cosine similarities
    can be combined even though they live on different scales. Ranks start at 1.
    Ties are broken by the first list in which the id appears, then by its rank there.
    """
    scores: Dict[Hashable, float] = defaultdict(float)
    first_seen: Dict[Hashable, tuple] = {}
    for list_index, ranking in enumerate(rankings):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] += 1.0 / (k + rank)
            first_seen.setdefault(doc_id, (list_index, rank))
    return sorted(scores.items(), key=lambda item: (-item[1], first_seen[item[0]]))


def mmr(
    candidates: List[Hashable],
    relevance: Dict[Hashable, float],
    vectors: Dict[Hashable, Sequence[float]],
    lam: float = MMR_LAMBDA,
    select: int = MMR_SELECT,
) -> List[Hashable]:
    """Greedy maximal marginal relevance selection.

    At each step pick the candidate maximizing
        lam * relevance(d) - (1 - lam) * max(similarity(d, s) for s in selected)
    Relevance is rescaled to [0, 1] first so that it is comparable with cosine
    similarity; otherwise tiny RRF scores would be swamped by the penalty term.
    """
    if not candidates:
        return []
    lo = min(relevance[c] for c in candidates)
    hi = max(relevance[c] for c in candidates)
    span = (hi - lo) or 1.0
    rel = {c: (relevance[c] - lo) / span for c in candidates}

    selected: List[Hashable] = []
    remaining = list(candidates)
    while remaining and len(selected) < select:
        def score(c: Hashable) -> float:
            penalty = max((dot(vectors[c], vectors[s]) for s in selected), default=0.0)
            return lam * rel[c] - (1.0 - lam) * penalty

        best = max(remaining, key=score)  # max() keeps the earliest on ties
        selected.append(best)
        remaining.remove(best)
    return selected


if __name__ == "__main__":
    # The worked example from the Hybrid Retrieval guide.
    vector_ranking = ["A", "B", "x1", "x2", "C"]
    bm25_ranking = ["C", "D", "A"]
    for doc_id, s in reciprocal_rank_fusion([vector_ranking, bm25_ranking]):
        print(f"{doc_id}\t{s:.4f}")
