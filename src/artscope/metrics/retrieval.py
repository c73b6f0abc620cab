"""Ranking metrics for retrieval benchmarks: Recall@K, CIRR's Recall_subset@K, CIRCO's mAP@K, nDCG@K and
ChatIR's Hits@K per dialogue round.

Every function takes, per query, the ranked ids the system returned (best first) and the ground truth,
and returns the mean over queries as a fraction in [0, 1] (papers print ×100).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from artscope.errors import InvalidInputError
from artscope.metrics._checks import same_length

Ranking = Sequence[Hashable]


def _check_k(k: int) -> None:
    if k < 1:
        raise InvalidInputError(f"k must be at least 1, got {k}.")


def _check_unique(ranking: Ranking, query: int) -> None:
    # CIRCO's evaluation rejects duplicate predictions: a repeated id would be counted twice
    if len(set(ranking)) != len(ranking):
        raise InvalidInputError(f"The ranking of query {query} repeats an id; rankings must be unique.")


def recall_at_k(ranked_ids: Sequence[Ranking], relevant: Sequence[set], k: int) -> float:
    """Share of queries with at least one relevant id in their top ``k`` (Flickr30K/COCO, CIRR, FashionIQ).

    With one target per query (CIRR, FashionIQ, CIRCO's Recall) this is plain Recall@K; with several
    (image→text, five captions per image) a query counts once if any of them is found.
    """
    same_length(ranked_ids, relevant, "ranked_ids", "relevant")
    _check_k(k)
    hits = [bool(set(ranking[:k]) & set(targets)) for ranking, targets in zip(ranked_ids, relevant,
                                                                              strict=True)]
    return float(np.mean(hits))


def recall_subset_at_k(ranked_ids: Sequence[Ranking], relevant: Sequence[set], subsets: Sequence[set],
                       k: int, reference_ids: Sequence[Hashable] | None = None) -> float:
    """CIRR's Recall_subset@K: Recall@K after keeping only the ranked ids in each query's ``img_set``.

    CIRR's evaluation drops the reference image from the ranking before either recall, so pass
    ``reference_ids`` (one per query) or rankings that already exclude it; the subset of six then
    leaves five candidates and K ∈ {1, 2, 3}.
    """
    same_length(ranked_ids, subsets, "ranked_ids", "subsets")
    references = [None] * len(ranked_ids) if reference_ids is None else list(reference_ids)
    same_length(ranked_ids, references, "ranked_ids", "reference_ids")
    filtered = [
        [item for item in ranking if item in members and item != reference]
        for ranking, members, reference in zip(ranked_ids, subsets, references, strict=True)
    ]
    return recall_at_k(filtered, relevant, k)


def average_precision_at_k(ranking: Ranking, relevant: set, k: int) -> float:
    """CIRCO's AP@K for one query: (1 / min(|G|, K)) Σ_{i ≤ K} P@i · rel(i)."""
    if not relevant:
        raise InvalidInputError("A query needs at least one ground-truth id for AP@K.")
    found, total = 0, 0.0
    for position, item in enumerate(ranking[:k], start=1):
        if item in relevant:
            found += 1
            total += found / position
    return total / min(len(relevant), k)


def map_at_k(ranked_ids: Sequence[Ranking], relevant: Sequence[set], k: int) -> float:
    """CIRCO's mAP@K: the mean of :func:`average_precision_at_k` over queries (duplicates rejected)."""
    same_length(ranked_ids, relevant, "ranked_ids", "relevant")
    _check_k(k)
    scores = []
    for query, (ranking, targets) in enumerate(zip(ranked_ids, relevant, strict=True)):
        _check_unique(ranking, query)
        scores.append(average_precision_at_k(ranking, set(targets), k))
    return float(np.mean(scores))


def ndcg_at_k(ranked_ids: Sequence[Ranking], relevant: Sequence[set | Mapping[Hashable, float]],
              k: int) -> float:
    """nDCG@K with linear gains and 1/log2(rank + 1) discounts (sklearn ``ndcg_score`` and BEIR/MTEB).

    ``relevant`` is a set per query (binary relevance) or a mapping id → graded relevance. A query
    without any positive relevance scores 0.
    """
    same_length(ranked_ids, relevant, "ranked_ids", "relevant")
    _check_k(k)
    scores = []
    for query, (ranking, targets) in enumerate(zip(ranked_ids, relevant, strict=True)):
        _check_unique(ranking, query)
        gains = dict(targets) if isinstance(targets, Mapping) else dict.fromkeys(targets, 1.0)
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        dcg = sum(gains.get(item, 0.0) * discounts[i] for i, item in enumerate(ranking[:k]))
        ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
        idcg = float(np.dot(ideal, discounts[: len(ideal)]))
        scores.append(dcg / idcg if idcg > 0 else 0.0)
    return float(np.mean(scores))


def hits_at_k_per_round(ranked_per_round: Sequence[Sequence[Ranking]], targets: Sequence[Hashable],
                        k: int = 10) -> list[float]:
    """ChatIR's Hits@K: for each round t, the share of dialogues whose target was in the top ``k`` at
    some round ≤ t (cumulative, as in ChatIR's ``cumulative_hits_per_round``; PlugIR reports the same).

    ``ranked_per_round[q][t]`` is the ranking after round t of dialogue q; every dialogue must have the
    same number of rounds.
    """
    same_length(ranked_per_round, targets, "ranked_per_round", "targets")
    _check_k(k)
    rounds = {len(dialogue) for dialogue in ranked_per_round}
    if len(rounds) != 1 or 0 in rounds:
        raise InvalidInputError("Every dialogue needs the same, non-zero number of rounds of rankings.")
    hit = np.array([[target in ranking[:k] for ranking in dialogue]
                    for dialogue, target in zip(ranked_per_round, targets, strict=True)])
    return [float(v) for v in np.logical_or.accumulate(hit, axis=1).mean(axis=0)]
