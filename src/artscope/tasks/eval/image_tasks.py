"""Runners for the per-image benchmarks: attribute prediction, aesthetic scoring, description
generation and question answering.

The attribute and aesthetic loaders (``artscope.datasets.attributes`` / ``.aesthetics``) return the
shapes below (the ``Protocol`` classes), whatever their benchmark's files look like.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from artscope.datasets.text import CaptionItem, CaptionSet, QAItem, QASet
from artscope.metrics import (
    accuracy,
    binary_accuracy,
    bleu,
    cider_d,
    emd,
    expected_calibration_error,
    macro_f1,
    museum_precision_recall,
    plcc,
    plcc_logistic,
    rouge_l,
    srcc,
    top_k_accuracy,
    vqa_accuracy,
)
from artscope.tasks.eval.benchmarks import BenchmarkSpec
from artscope.tasks.eval.predictor import GalleryImage, Predictor

Records = Mapping[str, Mapping[str, Any]]
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9\"'(])")
_ABBREVIATIONS = {"st", "mr", "mrs", "dr", "jr", "sr", "mt", "no", "vol", "ca", "c", "fl", "b", "d"}
BINS = 10
"""artscope's score distribution covers the scores 1..10: EMD is reported against 10-level votes (AVA)."""
VQA_MIN_ANSWERS = 3
"""VQA accuracy needs several human answers per question (10 in VQA); with fewer it is not reported."""


class LabeledImage(Protocol):
    item_id: str
    image: Path | str
    label: str


class AttributeSet(Protocol):
    attribute: str
    """The catalogue field the labels fill (style, artist, genre)."""
    labels: Sequence[str]
    train: Sequence[LabeledImage]
    items: Sequence[LabeledImage]


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
    """``artscope.datasets.aesthetics.AestheticDataset``."""

    info: ScoredInfo
    items: Sequence[ScoredImage]


class Attributes:
    """Index the training split with its labels, then predict the label of every test image."""

    def gallery(self, data: AttributeSet) -> list[GalleryImage]:
        return [GalleryImage(item.item_id, item.image, {data.attribute: item.label}) for item in data.train]

    def items(self, data: AttributeSet) -> list[tuple[str, Any]]:
        return [(item.item_id, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: AttributeSet, item: Any) -> dict:
        return {"probabilities": predictor.describe(item.image, data.attribute)}

    def score(self, spec: BenchmarkSpec, data: AttributeSet, records: Records) -> dict[str, float]:
        labels = list(data.labels)
        column = {label: n for n, label in enumerate(labels)}
        truth = {item.item_id: item.label for item in data.items}
        ids = list(records)
        probs = np.zeros((len(ids), len(labels)))
        for row, item_id in enumerate(ids):
            for label, p in records[item_id]["probabilities"].items():
                if label in column:  # a label outside the benchmark's classes can never be right
                    probs[row, column[label]] = p
        y_true = np.array([column[truth[i]] for i in ids])
        y_pred = probs.argmax(axis=1)
        return {"accuracy": accuracy(y_true, y_pred), "macro_f1": macro_f1(y_true, y_pred, labels=range(len(labels))),
                "top5_accuracy": top_k_accuracy(y_true, probs, min(5, len(labels))),
                "ece": expected_calibration_error(y_true, probs)}

    def submissions(self, spec: BenchmarkSpec, data: Any, records: Records, out: Path) -> list[Path]:
        return []


class Aesthetics:
    """Score every image; correlate the 0–100 total with the benchmark's mean opinion scores."""

    def gallery(self, data: ScoredSet) -> list[GalleryImage]:
        return []

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
            low, high = data.info.scale  # the 0–100 total mapped onto the dataset's scale (AVA: Σ k·p_k)
            metrics["binary_accuracy"] = binary_accuracy(low + pred / 100 * (high - low), gt, data.info.threshold)
        levels = data.info.levels
        if "emd" in spec.metrics and levels is not None and len(levels) == BINS:
            dists = np.array([records[i]["distribution"] for i in ids])
            metrics["emd"] = emd(dists, np.array([truth[i].distribution for i in ids]))
        return metrics

    def submissions(self, spec: BenchmarkSpec, data: Any, records: Records, out: Path) -> list[Path]:
        return []


class Captioning:
    """Ask for a description of every image and score it against the references (pycocoevalcap)."""

    def gallery(self, data: CaptionSet) -> list[GalleryImage]:
        return []

    def items(self, data: CaptionSet) -> list[tuple[str, Any]]:
        return [(item.item_id, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: CaptionSet, item: CaptionItem) -> dict:
        return {"text": predictor.answer(item.prompt, item.image)}

    def score(self, spec: BenchmarkSpec, data: CaptionSet, records: Records) -> dict[str, float]:
        refs = {item.item_id: list(item.references) for item in data.items if item.item_id in records}
        return caption_scores(refs, {i: records[i]["text"] for i in refs})

    def submissions(self, spec: BenchmarkSpec, data: Any, records: Records, out: Path) -> list[Path]:
        return []


class QuestionAnswering:
    """MUSEUM-65-style questions: complete/partial precision and recall, BLEU-1/2, VQA accuracy."""

    def gallery(self, data: QASet) -> list[GalleryImage]:
        return []

    def items(self, data: QASet) -> list[tuple[str, Any]]:
        return [(item.item_id, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: QASet, item: QAItem) -> dict:
        text = predictor.answer(item.question, item.image)
        return {"answer": answer_value(text), "text": text}

    def score(self, spec: BenchmarkSpec, data: QASet, records: Records) -> dict[str, float]:
        truth = {item.item_id: item for item in data.items if item.item_id in records}
        per_item = {i: museum_precision_recall(records[i]["answer"], list(item.answers)) for i, item in truth.items()}
        metrics = {key: float(np.mean([scores[key] for scores in per_item.values()]))
                   for key in next(iter(per_item.values()))}
        # MUSEUM-65 reports each question kind apart (title, creator, date, place, material, ...)
        for category in sorted({item.category for item in truth.values() if item.category}):
            members = [per_item[i] for i, item in truth.items() if item.category == category]
            for key in ("precision_complete", "recall_partial"):
                metrics[f"{key}/{category}"] = float(np.mean([scores[key] for scores in members]))
        b1, b2, _, _ = bleu({i: list(item.answers) for i, item in truth.items()},
                            {i: records[i]["answer"] for i in truth})
        metrics |= {"bleu1": b1, "bleu2": b2}
        if all(len(item.answers) >= VQA_MIN_ANSWERS for item in truth.values()):
            metrics["vqa_accuracy"] = float(np.mean([vqa_accuracy(records[i]["answer"], list(item.answers))
                                                     for i, item in truth.items()]))
        return metrics

    def submissions(self, spec: BenchmarkSpec, data: Any, records: Records, out: Path) -> list[Path]:
        return []


def answer_value(text: str) -> str:
    """The bare value an answer starts with: artscope's answers put it first ("Vincent van Gogh."),
    then the supporting sentence, so the value is scored on its own."""
    text = text.strip()
    for match in _SENTENCE_END.finditer(text):
        word = text[: match.start()].rsplit(maxsplit=1)[-1].lower() if text[: match.start()].strip() else ""
        # initials ("J. M. W. Turner") and abbreviations ("St. Ives", "ca. 1650") do not end a sentence
        if len(word) > 1 and word not in _ABBREVIATIONS:
            return text[: match.start()].strip()
    return text.rstrip(".").strip()


def caption_scores(refs: dict[str, list[str]], hyps: dict[str, str]) -> dict[str, float]:
    """BLEU-1..4, ROUGE-L and CIDEr-D of generated texts, as pycocoevalcap reports them."""
    metrics = {f"bleu{n}": value for n, value in enumerate(bleu(refs, hyps), start=1)}
    return metrics | {"rouge_l": rouge_l(refs, hyps), "cider_d": cider_d(refs, hyps)}
