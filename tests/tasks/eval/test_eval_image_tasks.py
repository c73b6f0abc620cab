"""Attribute scoring on hand-made predictions, and an AVA run through the real AVA loader with a
stand-in model whose score distributions are fixed, so every metric has an independent reference."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.stats import pearsonr, spearmanr

from artscope.datasets.attributes import AttributeBenchmark, LabelledImage
from artscope.metrics import emd
from artscope.tasks.eval import AestheticPrediction, benchmarks, run_benchmark
from artscope.tasks.eval.image_tasks import Attributes


def test_attribute_scoring() -> None:
    labels = ["Baroque", "Cubism", "Rococo"]
    items = [LabelledImage(key, Path(f"{key}.jpg"), {"style": style})
             for key, style in (("1", "Baroque"), ("2", "Cubism"), ("3", "Rococo"))]
    data = AttributeBenchmark("wikiart-style", "style", labels, train=items[:1], items=items)
    records = {
        "1": {"probabilities": {"Baroque": 0.9, "Cubism": 0.1}},
        "2": {"probabilities": {"Baroque": 0.6, "Cubism": 0.4}},
        "3": {"probabilities": {"Rococo": 0.7, "Unknown label": 0.3}},
    }
    task = Attributes()
    assert task.gallery(data)[0].fields == {"style": "Baroque"}  # the training split is indexed with labels
    metrics = task.score(benchmarks.get("wikiart-style"), data, records)
    assert metrics["accuracy"] == pytest.approx(2 / 3)
    # per class F1: Baroque 2·1/(1+2) = 2/3, Cubism 0, Rococo 1
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert metrics["top5_accuracy"] == 1.0
    # 15 bins: confidences 0.9 (right), 0.6 (wrong), 0.7 (right) fall in three bins
    assert metrics["ece"] == pytest.approx((0.1 + 0.6 + 0.3) / 3)


def _ava(root: Path, n: int = 30) -> np.ndarray:
    """An AVA-layout folder (AVA.txt, the published test list, images) with random votes."""
    rng = np.random.default_rng(0)
    votes = rng.integers(0, 20, size=(n, 10)) + 1
    (root / "images").mkdir(parents=True)
    (root / "aesthetics_image_lists").mkdir()
    lines = []
    for i in range(n):
        image_id = str(1000 + i)
        Image.new("RGB", (8, 8)).save(root / "images" / f"{image_id}.jpg")
        lines.append(" ".join([str(i + 1), image_id, *map(str, votes[i]), "0", "0", "1"]))
    (root / "AVA.txt").write_text("\n".join(lines) + "\n")
    (root / "aesthetics_image_lists" / "generic_test.jpgl").write_text(
        "\n".join(str(1000 + i) for i in range(n)) + "\n")
    return votes


@dataclass
class FixedScores:
    """A stand-in model whose aesthetic distributions are fixed per image file."""

    dists: dict[str, np.ndarray]

    def score(self, image: Path) -> AestheticPrediction:
        dist = self.dists[Path(image).stem]
        return AestheticPrediction(float((dist @ np.arange(1, 11) - 1) / 9 * 100), dist.tolist())


def test_ava_run_reports_correlations_binary_accuracy_and_emd(tmp_path: Path) -> None:
    votes = _ava(tmp_path / "ava")
    gt_mean = (votes / votes.sum(axis=1, keepdims=True)) @ np.arange(1, 11)
    dists = np.random.default_rng(1).dirichlet(np.ones(10), size=len(votes))
    model = FixedScores({str(1000 + i): dists[i] for i in range(len(votes))})
    result = run_benchmark("ava", tmp_path / "ava", out=tmp_path / "r.json", predictor=model)
    pred_mean = dists @ np.arange(1, 11)
    assert result.items == 30
    assert result.metrics["srcc"] == pytest.approx(spearmanr(pred_mean, gt_mean)[0], abs=1e-9)
    assert result.metrics["plcc"] == pytest.approx(pearsonr(pred_mean, gt_mean)[0], abs=1e-9)
    assert result.metrics["emd"] == pytest.approx(emd(dists, votes), abs=1e-12)
    # AVA's split: a mean above 5 is "high"; the prediction's mean is its distribution's Σ k·p_k
    assert result.metrics["binary_accuracy"] == pytest.approx(np.mean((pred_mean > 5) == (gt_mean > 5)))
