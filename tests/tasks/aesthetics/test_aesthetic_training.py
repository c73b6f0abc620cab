"""Training from a dataset in its published layout, and evaluation with the field's metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from artscope.datasets.aesthetics import load_ava
from artscope.errors import InvalidInputError
from artscope.tasks.aesthetics.evaluation import (
    evaluate_dataset,
    from_total,
    metrics_for,
    rebin,
    soft_distribution,
    to_bins,
)
from artscope.tasks.aesthetics.synthetic import write_planted_ava
from artscope.tasks.aesthetics.training import dimension_targets, from_collection, from_dataset, train


def test_rebin_keeps_the_mean_and_maps_scales() -> None:
    para_levels = [1.0 + 0.5 * i for i in range(9)]
    votes = np.array([0, 1, 3, 5, 8, 6, 2, 1, 0], dtype=float)
    bins = rebin(votes, para_levels, (1, 5))
    assert bins.sum() == pytest.approx(1) and len(bins) == 10
    mean_levels = votes @ para_levels / votes.sum()
    assert bins @ np.arange(1, 11) == pytest.approx(float(to_bins(mean_levels, (1, 5))))
    ava_votes = np.arange(1, 11, dtype=float)
    assert rebin(ava_votes, list(range(1, 11)), (1, 10)) == pytest.approx(ava_votes / ava_votes.sum())
    assert float(from_total(50, (1, 5))) == 3.0 and float(to_bins(5, (0, 10))) == pytest.approx(5.5)
    assert soft_distribution(4.0).argmax() == 3


def test_metrics_follow_the_field_conventions() -> None:
    from artscope.datasets.aesthetics import DatasetInfo

    info = DatasetInfo(
        name="x", split="test", split_source="-", scale=(1, 10), threshold=5.0, threshold_source="-"
    )
    truth = np.array([3.0, 4.0, 5.5, 6.0, 7.5, 8.0])
    predicted = np.array([2.5, 4.5, 4.9, 6.5, 7.0, 9.0])
    metrics = metrics_for(predicted, truth, info)
    assert metrics["srcc"] == pytest.approx(1.0)
    assert metrics["plcc"] == pytest.approx(np.corrcoef(predicted, truth)[0, 1])
    assert metrics["binary_accuracy"] == pytest.approx(5 / 6)  # 4.9 falls below 5 where 5.5 does not
    assert "emd" not in metrics


def test_dimension_targets_average_the_attributes_of_a_dimension() -> None:
    from artscope.datasets.aesthetics import DatasetInfo
    from artscope.datasets.apddv2 import APDD_ATTRIBUTES

    info = DatasetInfo(
        name="APDDv2",
        split="test",
        split_source="-",
        scale=(0, 10),
        threshold=5,
        threshold_source="-",
        attribute_scale=(0, 10),
        attribute_dimensions=APDD_ATTRIBUTES,
    )
    targets = dimension_targets(
        {"Layout and composition": 6.0, "Space and perspective": 8.0, "Mood": 5.0, "Not an attribute": 9.0},
        info,
    )
    assert targets == {"composition": 70.0, "emotion": 50.0}


def test_head_trained_on_a_planted_ava_set_recovers_the_relation(
    tmp_path: Path, synthetic_collection
) -> None:
    truth = write_planted_ava(tmp_path / "ava", n=36, seed=1)
    data = from_dataset(tmp_path / "ava", "ava")
    assert {e.split for e in data.examples} == {"train", "test"} and all(e.has_votes for e in data.examples)
    report = train(synthetic_collection, data, epochs=150)
    assert report.metrics["srcc"] > 0.6  # chance is 0; the planted relation is sharpness
    assert {"plcc", "binary_accuracy", "emd"} <= set(report.metrics)
    assert report.test_items == len(load_ava(tmp_path / "ava", "test").items)
    test_set = load_ava(tmp_path / "ava", "test")
    evaluation = evaluate_dataset(test_set, lambda path: synthetic_collection.score(path))
    assert evaluation.items == len(truth) - report.train_items
    assert evaluation.metrics["srcc"] == pytest.approx(report.metrics["srcc"], abs=1e-6)
    assert 0 <= evaluation.metrics["emd"] < 0.2
    cached = list((synthetic_collection.heads_dir / "cache" / "aesthetics").glob("features-*.npz"))
    assert len(cached) == 1  # a retrain reads the features back instead of recomputing them


def test_collection_without_the_score_field(synthetic_collection) -> None:
    with pytest.raises(InvalidInputError, match="numeric 'aesthetic_score' field"):
        from_collection(synthetic_collection, "aesthetic_score")
    with pytest.raises(InvalidInputError, match="--scale"):
        from_collection(synthetic_collection, "year_start", scale=(5, 5))


def test_a_dataset_with_only_a_test_list_is_split_by_hash(tmp_path: Path) -> None:
    from artscope.datasets.aesthetics import hash_split
    from artscope.tasks.aesthetics.synthetic import texture_image

    names = [f"img{i}.jpg" for i in range(30)]
    (tmp_path / "images").mkdir()
    for name in names:
        texture_image((32, 32), seed=len(name)).save(tmp_path / "images" / name)
    (tmp_path / "test.json").write_text(
        json.dumps([{"image": n, "gt_score": 10 + i} for i, n in enumerate(names)])
    )
    data = from_dataset(tmp_path, "artimuse10k")
    assert [e.split for e in data.examples] == [hash_split(n) for n in names]
    assert "hash split" in data.info.split_source and not any(e.has_votes for e in data.examples)


def test_a_malformed_train_file_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    from artscope.errors import SourceFormatError

    (tmp_path / "labels" / "merge").mkdir(parents=True)
    (tmp_path / "TAD66K").mkdir()
    (tmp_path / "labels" / "merge" / "train.csv").write_text("image,score\na.jpg,high\n")
    (tmp_path / "labels" / "merge" / "test.csv").write_text("image,score\nb.jpg,5\n")
    with pytest.raises(SourceFormatError, match=r"train\.csv, line 2: field 'score' is 'high'"):
        from_dataset(tmp_path, "tad66k")
