"""Scores on a dataset's scale, and the field's metrics: SRCC, PLCC (raw Pearson), PLCC after the
4-parameter logistic fit (a separately named number), EMD (r = 2) and binary accuracy at the
dataset's threshold.

artscope's distribution has ten bins for the scores 1..10; a dataset's score range maps linearly onto
them, and a dataset's own vote distribution is moved onto the ten bins by splitting each level's
mass between the two nearest bins (which keeps its mean).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from artscope.datasets.aesthetics import AestheticDataset, DatasetInfo
from artscope.errors import ArtscopeError, InvalidInputError
from artscope.metrics.correlation import binary_accuracy, emd, plcc, plcc_logistic, srcc
from artscope.tasks.aesthetics.result import BINS, AestheticResult

log = logging.getLogger(__name__)


def to_bins(score: float | np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Dataset-scale scores -> positions on artscope's 1..10 bins."""
    low, high = scale
    return 1 + (BINS - 1) * (np.asarray(score, dtype=np.float64) - low) / (high - low)


def from_total(total: float | np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """artscope totals (0–100) -> the dataset's scale."""
    low, high = scale
    return low + (high - low) * np.asarray(total, dtype=np.float64) / 100


def rebin(distribution: Sequence[float], levels: Sequence[float], scale: tuple[float, float]) -> np.ndarray:
    """A dataset's distribution over its levels -> probabilities of the 10 bins (mean-preserving)."""
    mass = np.asarray(distribution, dtype=np.float64)
    positions = np.clip(to_bins(np.asarray(levels, dtype=np.float64), scale), 1, BINS) - 1
    out = np.zeros(BINS)
    lower = np.floor(positions).astype(int)
    upper_share = positions - lower
    np.add.at(out, lower, mass * (1 - upper_share))
    np.add.at(out, np.minimum(lower + 1, BINS - 1), mass * upper_share)
    return out / out.sum()


def soft_distribution(position: float, spread: float = 1.5) -> np.ndarray:
    """A discretised normal around a bin position, for training on mean scores without votes
    (1.5 bins is about the spread of AVA's votes)."""
    bins = np.arange(1, BINS + 1, dtype=np.float64)
    density = np.exp(-0.5 * ((bins - position) / spread) ** 2)
    return density / density.sum()


class EvaluationReport(BaseModel):
    """Metrics of one scorer on one dataset split."""

    dataset: str
    split: str
    items: int
    failed: int = 0
    metrics: dict[str, float]
    threshold: float


def metrics_for(
    predicted: np.ndarray,
    truth: np.ndarray,
    info: DatasetInfo,
    predicted_dist: np.ndarray | None = None,
    true_dist: np.ndarray | None = None,
) -> dict[str, float]:
    """SRCC, PLCC, PLCC after the logistic fit, binary accuracy and (with distributions) EMD.

    ``predicted`` and ``truth`` are on the dataset's scale; distributions are over the 10 bins.
    """
    out = {
        "srcc": srcc(predicted, truth),
        "plcc": plcc(predicted, truth),
        "binary_accuracy": binary_accuracy(predicted, truth, info.threshold),
    }
    try:
        out["plcc_logistic"] = plcc_logistic(predicted, truth)
    except InvalidInputError as exc:  # the fit can fail on tiny or degenerate sets; raw PLCC stands
        log.warning("logistic PLCC not computed: %s", exc)
    if predicted_dist is not None and true_dist is not None and len(true_dist):
        out["emd"] = emd(predicted_dist, true_dist, r=2.0)
    return out


def true_distributions(dataset: AestheticDataset) -> np.ndarray | None:
    """The items' own distributions on the 10 bins, or None when the dataset has none for every item."""
    info = dataset.info
    if info.levels is None or any(item.distribution is None for item in dataset.items):
        return None
    return np.stack([rebin(item.distribution, info.levels, info.scale) for item in dataset.items])


def evaluate_dataset(
    dataset: AestheticDataset,
    scorer: Callable[[Path], AestheticResult],
    progress: Callable[[int, int], None] | None = None,
) -> EvaluationReport:
    """Score every item with ``scorer`` (e.g. ``lambda p: collection.score(p)``) and report the metrics.

    Items that fail to score (an unreadable image) are counted and left out of the metrics.
    """
    predicted, distributions, kept, failed = [], [], [], 0
    for index, item in enumerate(dataset.items):
        try:
            result = scorer(item.image_path)
        except ArtscopeError as exc:
            log.warning("%s: %s", item.image_path, exc)
            failed += 1
            continue
        predicted.append(result.total)
        distributions.append(result.distribution)
        kept.append(index)
        if progress:
            progress(index + 1, len(dataset.items))
    if len(kept) < 2:
        raise InvalidInputError(
            f"Only {len(kept)} of {len(dataset.items)} images could be scored; metrics need at least two."
        )
    subset = AestheticDataset(dataset.info, [dataset.items[i] for i in kept])
    truth = np.array([item.score for item in subset.items])
    metrics = metrics_for(
        from_total(np.array(predicted), dataset.info.scale),
        truth,
        dataset.info,
        np.array(distributions),
        true_distributions(subset),
    )
    return EvaluationReport(
        dataset=dataset.info.name,
        split=dataset.info.split,
        items=len(kept),
        failed=failed,
        metrics=metrics,
        threshold=dataset.info.threshold,
    )
