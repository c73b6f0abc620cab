"""Runners for the per-image benchmarks: attribute prediction and aesthetic scoring.

The attribute loaders return an ``artscope.datasets.attributes.AttributeBenchmark`` and the aesthetic
loaders an ``artscope.datasets.aesthetics.AestheticDataset``; the ``Protocol`` classes below are the
parts of them the runners read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from artscope.metrics import (
    accuracy,
    binary_accuracy,
    emd,
    expected_calibration_error,
    macro_f1,
    plcc,
    plcc_logistic,
    srcc,
    top_k_accuracy,
)
from artscope.tasks.eval.benchmarks import BenchmarkSpec
from artscope.tasks.eval.predictor import GalleryImage, Predictor
from artscope.tasks.eval.task import BenchmarkTask, Records

BINS = 10
"""artscope's score distribution covers the scores 1..10."""


class LabelledImage(Protocol):
    key: str
    path: Path
    labels: dict[str, str]


class AttributeSet(Protocol):
    attribute: str
    """The catalogue field the labels fill (style, artist, genre)."""
    labels: Sequence[str]
    train: Sequence[LabelledImage]
    items: Sequence[LabelledImage]


class ScoredImage(Protocol):
    key: str
    image_path: Path
    score: float
    """On the dataset's own scale."""
    distribution: Sequence[float] | None
    """Votes or shares per level of ``info.levels``, where published."""


class ScoredInfo(Protocol):
    scale: tuple[float, float]
    threshold: float
    levels: Sequence[float] | None


class ScoredSet(Protocol):
    info: ScoredInfo
    items: Sequence[ScoredImage]


class Attributes(BenchmarkTask):
    """Index the training split with its labels, train the attribute head on it, then predict the label
    of every test image (ArtSeek's LICN protocol: train on train, report on test)."""

    def gallery(self, data: AttributeSet) -> list[GalleryImage]:
        return [GalleryImage(item.key, item.path, {data.attribute: item.labels[data.attribute]})
                for item in data.train]

    def prepare(self, predictor: Predictor, spec: BenchmarkSpec, data: AttributeSet) -> None:
        predictor.learn(data.attribute, list(data.labels))

    def items(self, data: AttributeSet) -> list[tuple[str, Any]]:
        return [(item.key, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: AttributeSet, item: Any) -> dict:
        return {"probabilities": predictor.describe(item.path, data.attribute)}

    def score(self, spec: BenchmarkSpec, data: AttributeSet, records: Records) -> dict[str, float]:
        labels = list(data.labels)
        column = {label: n for n, label in enumerate(labels)}
        truth = {item.key: item.labels[data.attribute] for item in data.items}
        ids = list(records)
        probs = np.zeros((len(ids), len(labels)))
        for row, item_id in enumerate(ids):
            for label, p in records[item_id]["probabilities"].items():
                if label in column:  # a label outside the benchmark's classes can never be right
                    probs[row, column[label]] = p
        y_true = np.array([column[truth[i]] for i in ids])
        y_pred = probs.argmax(axis=1)
        # macro-F1 over the classes in the test labels or the predictions (sklearn's default)
        return {"accuracy": accuracy(y_true, y_pred), "macro_f1": macro_f1(y_true, y_pred),
                "top5_accuracy": top_k_accuracy(y_true, probs, min(5, len(labels))),
                "ece": expected_calibration_error(y_true, probs)}


def distribution_mean(distribution: Sequence[float]) -> float:
    """Σ k·p_k over the scores 1..10 (pyiqa ``dist_to_mos``; AVA's mean score)."""
    p = np.asarray(distribution, dtype=np.float64)
    return float(p @ np.arange(1, len(p) + 1) / p.sum())


def onto_levels(distribution: Sequence[float], levels: Sequence[float], scale: tuple[float, float]) -> np.ndarray:
    """artscope's 10-bin distribution as probabilities of a dataset's ``levels`` (values on its ``scale``):
    each bin's mass is split between the two levels around it, which keeps the mean inside their range."""
    mass = np.asarray(distribution, dtype=np.float64)
    low, high = scale
    values = low + (high - low) * (np.arange(BINS) / (BINS - 1))
    order = np.argsort(levels)
    sorted_levels = np.asarray(levels, dtype=np.float64)[order]
    out = np.zeros(len(sorted_levels))
    for value, share in zip(values, mass, strict=True):
        upper = int(np.clip(np.searchsorted(sorted_levels, value), 1, len(sorted_levels) - 1))
        a, b = sorted_levels[upper - 1], sorted_levels[upper]
        weight = float(np.clip((value - a) / (b - a), 0.0, 1.0))
        out[upper - 1] += share * (1 - weight)
        out[upper] += share * weight
    result = np.zeros(len(out))
    result[order] = out
    return result / result.sum()


class Aesthetics(BenchmarkTask):
    """Score every image; correlate the prediction with the benchmark's mean opinion scores.

    SRCC and PLCC use the 0–100 total (they do not depend on the scale). Binary accuracy (AVA) uses the
    predicted distribution's mean Σ k·p_k against the vote mean, "high" above the threshold (> 5). EMD
    compares the predicted distribution, moved onto the dataset's levels, with the published one.
    """

    def items(self, data: ScoredSet) -> list[tuple[str, Any]]:
        return [(item.key, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: ScoredSet, item: Any) -> dict:
        prediction = predictor.score(item.image_path)
        return {"total": prediction.total, "distribution": prediction.distribution}

    def score(self, spec: BenchmarkSpec, data: ScoredSet, records: Records) -> dict[str, float]:
        truth = {item.key: item for item in data.items}
        ids = list(records)
        pred = np.array([records[i]["total"] for i in ids])
        gt = np.array([truth[i].score for i in ids])
        metrics = {"srcc": srcc(pred, gt), "plcc": plcc(pred, gt), "plcc_logistic": plcc_logistic(pred, gt)}
        if "binary_accuracy" in spec.metrics:
            means = np.array([distribution_mean(records[i]["distribution"]) for i in ids])
            metrics["binary_accuracy"] = binary_accuracy(means, gt, data.info.threshold)
        levels = data.info.levels
        if "emd" in spec.metrics and levels is not None and all(truth[i].distribution is not None for i in ids):
            predicted = np.stack([onto_levels(records[i]["distribution"], levels, data.info.scale) for i in ids])
            metrics["emd"] = emd(predicted, np.array([truth[i].distribution for i in ids]))
        return metrics
