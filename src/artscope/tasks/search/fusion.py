"""Weighted reciprocal rank fusion that keeps, per result, which signals found it and at what rank."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from artscope.tasks.search.types import Signal

RRF_K = 60
"""The constant of Cormack et al. (2009): dampens the weight of the very first ranks."""

Ranking = Sequence[tuple[str, float]]
"""(key, raw score), best first."""


def fuse(rankings: Mapping[str, Ranking], weights: Mapping[str, float] | None = None,
         k: int = RRF_K) -> list[tuple[str, float, list[Signal]]]:
    """(key, fused score, signals), best first. A key's rank in a list is its first occurrence."""
    weights = weights or {}
    fused: dict[str, float] = {}
    signals: dict[str, list[Signal]] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        if weight <= 0:
            continue
        seen: set[str] = set()
        for rank, (key, score) in enumerate(ranking, start=1):
            if key in seen:
                continue
            seen.add(key)
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
            signals.setdefault(key, []).append(Signal(name=name, rank=rank, score=round(float(score), 6)))
    order = sorted(fused, key=lambda key: (-fused[key], key))
    return [(key, fused[key], signals[key]) for key in order]
