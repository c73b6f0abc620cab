"""Ranking metrics: nDCG against sklearn on random inputs; mAP@K against CIRCO's evaluation written out
with numpy as in its ``compute_metrics``; Recall, Recall_subset and Hits per round by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import ndcg_score

from artscope.errors import InvalidInputError
from artscope.metrics import (
    hits_at_k_per_round,
    map_at_k,
    ndcg_at_k,
    recall_at_k,
    recall_subset_at_k,
)


def test_recall_at_k_hand_computed() -> None:
    ranked = [["a", "b", "c"], ["c", "a", "b"], ["b", "c", "a"]]
    relevant = [{"a"}, {"a"}, {"a", "c"}]  # the third query has two ground truths (image → text)
    assert recall_at_k(ranked, relevant, 1) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, relevant, 2) == pytest.approx(1.0)


def test_recall_subset_drops_reference_and_non_members() -> None:
    # CIRR: img_set = {ref, t, x1..x4}; the reference is removed first, non-members are ignored
    ranked = [["ref", "z1", "x1", "z2", "t", "x2"]]
    subsets = [{"ref", "t", "x1", "x2", "x3", "x4"}]
    assert recall_subset_at_k(ranked, [{"t"}], subsets, 1, reference_ids=["ref"]) == 0.0
    assert recall_subset_at_k(ranked, [{"t"}], subsets, 2, reference_ids=["ref"]) == 1.0


def _circo_reference_map(predictions: list[list[int]], gts: list[list[int]], rank: int) -> float:
    aps = []
    for pred, gt in zip(predictions, gts, strict=True):
        labels = np.isin(np.array(pred), gt)
        precisions = np.cumsum(labels) * labels / np.arange(1, len(labels) + 1)
        aps.append(np.sum(precisions[:rank]) / min(len(gt), rank))
    return float(np.mean(aps))


@pytest.mark.parametrize("k", [5, 10, 25, 50])
def test_map_at_k_matches_circo_evaluation(k: int) -> None:
    rng = np.random.default_rng(k)
    predictions, gts = [], []
    for _ in range(40):
        predictions.append(rng.permutation(200)[:50].tolist())
        gts.append(rng.choice(80, size=rng.integers(1, 12), replace=False).tolist())
    expected = _circo_reference_map(predictions, gts, k)
    assert map_at_k(predictions, [set(g) for g in gts], k) == pytest.approx(expected, abs=1e-6)


def test_map_hand_computed_and_duplicates_rejected() -> None:
    # hits at ranks 1 and 3 of 2 ground truths: (1/1 + 2/3) / min(2, 5)
    assert map_at_k([[1, 9, 2, 8, 7]], [{1, 2}], 5) == pytest.approx((1 + 2 / 3) / 2)
    with pytest.raises(InvalidInputError, match="repeats"):
        map_at_k([[1, 1, 2]], [{1}], 3)


@pytest.mark.parametrize("seed", range(4))
def test_ndcg_matches_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_queries, n_docs, k = 30, 40, 10
    scores = rng.random((n_queries, n_docs))
    gains = rng.integers(0, 4, size=(n_queries, n_docs)).astype(float)
    gains[:, 0] = np.maximum(gains[:, 0], 1)  # every query has a relevant document
    ranked = [list(np.argsort(-row)) for row in scores]
    relevant = [{d: g for d, g in enumerate(row) if g > 0} for row in gains]
    assert ndcg_at_k(ranked, relevant, k) == pytest.approx(ndcg_score(gains, scores, k=k), abs=1e-6)
    binary = [set(r) for r in relevant]
    assert ndcg_at_k(ranked, binary, k) == pytest.approx(
        ndcg_score((gains > 0).astype(float), scores, k=k), abs=1e-6)


def test_hits_per_round_are_cumulative() -> None:
    # dialogue 1: found at round 0, lost at round 1 (still counts); dialogue 2: found at round 2
    rounds = [
        [["t1", "x"], ["x", "y"], ["y", "x"]],
        [["x", "y"], ["y", "x"], ["t2", "x"]],
    ]
    assert hits_at_k_per_round(rounds, ["t1", "t2"], k=1) == [0.5, 0.5, 1.0]
    with pytest.raises(InvalidInputError, match="same"):
        hits_at_k_per_round([[["a"]], [["a"], ["b"]]], ["a", "b"], k=1)
