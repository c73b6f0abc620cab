"""The kNN voter: the labels of an image's nearest labelled neighbours (by global vector) as votes.

Votes are weighted by exp(cosine / τ) over the k nearest, the weighted kNN classifier of Wu et al.
(2018) that DINO (Caron et al., 2021) uses to evaluate frozen features, with their k = 20 and
τ = 0.07: near neighbours count much more than far ones, so a near-duplicate settles the vote. An
image's own artwork (any of its views) never votes for it.

Two neighbour sources share the voting: a bank of stored vectors searched exactly in memory
(training, evaluation, ``describe --all``) and the collection's index (one image at a time).
"""

from __future__ import annotations

import numpy as np
import torch

K = 20
TEMPERATURE = 0.07
SMOOTHING = 1e-3
"""Added to every class's share of the votes: a class no neighbour has is unlikely, not impossible."""
BLOCK_CELLS = 1 << 24
"""Query x bank similarities computed at once (64 MB of float32), whatever the bank's size."""


def vote(similarities: np.ndarray, neighbour_labels: np.ndarray, n_classes: int) -> np.ndarray:
    """[n, k] similarities and [n, k] class indices (-1: neighbour without this label) -> [n, C]
    probabilities. A row without any labelled neighbour is uniform."""
    n = len(similarities)
    weights = np.exp((np.asarray(similarities, dtype=np.float64) - 1.0) / TEMPERATURE)  # -1: no overflow
    weights = np.where(neighbour_labels >= 0, weights, 0.0)
    votes = np.zeros((n, n_classes), dtype=np.float64)
    rows = np.repeat(np.arange(n), neighbour_labels.shape[1])
    np.add.at(votes, (rows, np.clip(neighbour_labels, 0, None).ravel()), weights.ravel())
    total = votes.sum(axis=1, keepdims=True)
    shares = np.divide(votes, total, out=np.full_like(votes, 1.0 / n_classes), where=total > 0)
    probs = shares + SMOOTHING
    return (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)


def bank_neighbours(queries: np.ndarray, query_groups: np.ndarray, bank: np.ndarray, bank_groups: np.ndarray,
                    k: int = K) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest bank rows of each query by cosine (unit vectors), skipping rows of the query's
    own group (artwork). Returns ([n, k] similarities, [n, k] bank positions; -1 where the bank is short)."""
    k_eff = min(k, len(bank))
    sims_out = np.full((len(queries), k), -1.0, dtype=np.float32)
    index_out = np.full((len(queries), k), -1, dtype=np.int64)
    if k_eff == 0:
        return sims_out, index_out
    bank = np.asarray(bank, dtype=np.float32)
    chunk = max(1, BLOCK_CELLS // len(bank))
    for start in range(0, len(queries), chunk):
        block = _similarities(queries[start:start + chunk], bank)
        block[query_groups[start:start + chunk, None] == bank_groups[None, :]] = -np.inf
        top = np.argpartition(-block, k_eff - 1, axis=1)[:, :k_eff]
        top_sims = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_sims, axis=1)
        top, top_sims = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)
        missing = ~np.isfinite(top_sims)  # the bank held fewer than k rows of other groups
        sims_out[start:start + chunk, :k_eff] = np.where(missing, -1.0, top_sims)
        index_out[start:start + chunk, :k_eff] = np.where(missing, -1, top)
    return sims_out, index_out


def _similarities(queries: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """Cosines of unit vectors through torch rather than numpy: the heads run in torch's thread
    pool, and alternating it with numpy's BLAS pool (each spinning while the other works) made one
    prediction 50 times slower on two cores."""
    return (torch.from_numpy(np.asarray(queries, dtype=np.float32)) @ torch.from_numpy(bank).T).numpy()


def bank_votes(similarities: np.ndarray, positions: np.ndarray, bank_labels: np.ndarray,
               class_counts: list[int]) -> list[np.ndarray]:
    """Per field, the vote probabilities of neighbours found by :func:`bank_neighbours`.

    ``bank_labels``: [m, fields] class indices of the bank rows (-1: missing)."""
    out = []
    for field, n_classes in enumerate(class_counts):
        labels = np.where(positions >= 0, bank_labels[np.clip(positions, 0, None), field], -1)
        out.append(vote(similarities, labels, n_classes))
    return out


__all__ = ["TEMPERATURE", "K", "bank_neighbours", "bank_votes", "vote"]
