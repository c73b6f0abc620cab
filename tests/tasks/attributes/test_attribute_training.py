"""Training on the labelled synthetic collection: the heads beat the majority class and kNN alone on
held-out artworks, missing labels and a one-example class are handled, and the report is stored."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artscope.errors import InvalidInputError
from artscope.tasks.attributes import AttributesConfig, train
from artscope.tasks.attributes.types import TrainReport

from .conftest import N_ARTWORKS, RARE_GENRE


def _field(report: TrainReport, name: str):
    return next(f for f in report.fields if f.field == name)


def test_heads_beat_both_baselines_by_a_clear_margin(trained) -> None:
    _, report = trained
    assert [f.field for f in report.fields] == ["artist", "style", "genre", "period"]
    for field in report.fields:
        assert field.head.accuracy >= field.majority.accuracy + 0.3, field.field
        assert field.head.accuracy >= field.knn.accuracy - 0.05, field.field
    for metric in ("accuracy", "macro_f1"):
        head = np.mean([getattr(f.head, metric) for f in report.fields])
        knn = np.mean([getattr(f.knn, metric) for f in report.fields])
        assert head >= knn + 0.05, metric
    # style (texture) and genre (layout) are regional: the global vector's neighbours miss them
    for name in ("style", "genre"):
        assert _field(report, name).head.accuracy >= _field(report, name).knn.accuracy + 0.15, name


def test_every_field_reports_all_metrics_on_held_out_images(trained) -> None:
    _, report = trained
    assert report.split["test"] > 0 and report.split["val"] > 0
    assert sum(report.split.values()) == report.images == N_ARTWORKS
    for field in report.fields:
        for metrics in (field.head, field.majority, field.knn):
            assert metrics.n == field.test
            assert 0 <= metrics.accuracy <= metrics.top5 <= 1 and 0 <= metrics.ece <= 1
        assert field.temperature > 0 and field.fusion_weight >= 0


def test_the_report_is_stored_with_the_head(trained) -> None:
    path, report = trained
    meta = json.loads((path / "heads" / "attributes" / "head.json").read_text())
    assert meta["version"] == report.version and meta["embedder"]["spec"] == "builtin"
    stored = TrainReport.model_validate(meta["meta"]["report"])
    assert stored.fields == report.fields and stored.seconds == report.seconds
    classes = {t["field"]: len(t["labels"]) for t in meta["meta"]["tasks"]}
    assert classes == {f.field: f.classes for f in report.fields}
    split = meta["meta"]["split"]
    assert split["seed"] == 0 and len(split["test"]) == report.split["test"]
    assert not set(split["val"]) & set(split["test"])
    assert meta["meta"]["period_edges"] == AttributesConfig().period_edges


def test_missing_labels_do_not_count_for_that_field_only(trained) -> None:
    _, report = trained
    style, genre = _field(report, "style"), _field(report, "genre")
    assert style.train + style.val + style.test == N_ARTWORKS - N_ARTWORKS // 10
    assert genre.train + genre.val + genre.test == N_ARTWORKS


def test_a_class_with_one_example_is_kept_for_training(trained) -> None:
    path, _ = trained
    tasks = json.loads((path / "heads" / "attributes" / "head.json").read_text())["meta"]["tasks"]
    genre = next(t for t in tasks if t["field"] == "genre")
    assert genre["train_counts"][genre["labels"].index(RARE_GENRE)] == 1


def test_fields_without_two_values_are_skipped_with_a_reason(trained) -> None:
    _, report = trained
    assert [(s.field, "no value" in s.reason) for s in report.skipped] == [("medium", True)]


def test_no_learnable_field_is_an_error(untrained_collection) -> None:
    with pytest.raises(InvalidInputError, match="medium: no value"):
        train(untrained_collection, AttributesConfig(fields=["medium"]))
    assert not (untrained_collection.heads_dir / "attributes").exists()


@pytest.mark.parametrize("settings", [{"fields": []}, {"val_fraction": 0.6, "test_fraction": 0.5},
                                      {"period_edges": [1900, 1800]}, {"head": {"prototypes": 0}}])
def test_unusable_settings_are_refused(settings: dict) -> None:
    with pytest.raises(InvalidInputError):
        AttributesConfig(**settings).check()
