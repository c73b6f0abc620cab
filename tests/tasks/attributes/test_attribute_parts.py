"""The attributes task's parts on small hand-made inputs: period buckets, field values, the split,
kNN votes, temperature scaling and fusion."""

from __future__ import annotations

import numpy as np
import pytest

from artscope.tasks.attributes.calibration import (
    fit_fusion,
    fit_temperature,
    fuse,
    measure,
    nll,
    prior,
    softmax,
)
from artscope.tasks.attributes.data import (
    DEFAULT_PERIOD_EDGES,
    encode_labels,
    field_value,
    period_labels,
    period_of,
    split_artworks,
)
from artscope.tasks.attributes.knn import bank_neighbours, bank_votes, vote
from artscope.types import ArtworkRecord


def _record(**values) -> ArtworkRecord:
    return ArtworkRecord(id=values.pop("id", "a"), **values)


def test_period_buckets_follow_the_edges() -> None:
    edges = [1400, 1600, 1800]
    assert period_labels(edges) == ["before 1400", "1400-1599", "1600-1799", "1800 and later"]
    assert period_of(_record(year_start=1399), edges) == "before 1400"
    assert period_of(_record(year_start=1400), edges) == "1400-1599"
    assert period_of(_record(year_start=1750, year_end=1900), edges) == "1800 and later"  # middle: 1825
    assert period_of(_record(year_start=2020), edges) == "1800 and later"
    assert period_of(_record(), edges) is None
    assert len(period_labels(DEFAULT_PERIOD_EDGES)) == len(DEFAULT_PERIOD_EDGES) + 1


def test_field_values_of_well_known_and_user_fields() -> None:
    record = _record(artists=["Rembrandt", "Workshop"], medium=" oil on canvas ", year_start=1642,
                     extra={"style": "Baroque", "genre": "", "period": "Dutch Golden Age"})
    edges = DEFAULT_PERIOD_EDGES
    assert field_value(record, "artist", edges) == "Rembrandt"  # the first-named artist
    assert field_value(record, "medium", edges) == "oil on canvas"
    assert field_value(record, "style", edges) == "Baroque"
    assert field_value(record, "genre", edges) is None
    assert field_value(record, "period", edges) == "Dutch Golden Age"  # the record's own value wins
    assert field_value(_record(year_start=1642), "period", edges) == "1600-1699"
    labels = encode_labels([record, None], ["artist", "style"], [["Rembrandt"], ["Rococo"]], edges)
    assert labels.tolist() == [[0, -1], [-1, -1]]  # a value outside the label set counts as missing


def test_the_split_is_by_artwork_stratified_and_seeded() -> None:
    ids = [f"a{i}" for i in range(200)]
    strata = ["big"] * 150 + ["small"] * 49 + ["once"]
    split = split_artworks(ids, strata, 0.15, 0.15, seed=3)
    assert split == split_artworks(ids, strata, 0.15, 0.15, seed=3)
    assert split != split_artworks(ids, strata, 0.15, 0.15, seed=4)
    assert split["a199"] == "train"  # a stratum of one goes to training
    for name, size in (("big", 150), ("small", 49)):
        members = [split[i] for i, s in zip(ids, strata, strict=True) if s == name]
        assert abs(members.count("test") - 0.15 * size) <= 1 and abs(members.count("val") - 0.15 * size) <= 1


def test_votes_weight_near_neighbours_far_more() -> None:
    sims = np.array([[0.95, 0.80, 0.79, 0.78]])
    labels = np.array([[1, 0, 0, 0]])
    probs = vote(sims, labels, 3)
    assert probs.argmax() == 1 and probs[0, 1] > 0.6  # one close neighbour outvotes three far ones
    assert probs[0, 2] > 0 and np.isclose(probs.sum(), 1.0)
    empty = vote(np.zeros((1, 2)), np.array([[-1, -1]]), 4)
    np.testing.assert_allclose(empty, 0.25, atol=1e-6)


def test_neighbours_never_include_the_same_artwork() -> None:
    bank = np.eye(4, dtype=np.float32)
    queries = np.array([[1, 0, 0, 0], [0.9, 0.1, 0, 0]], dtype=np.float32)
    sims, positions = bank_neighbours(queries, np.array([0, 9]), bank, np.array([0, 1, 2, 3]), k=2)
    assert positions[0, 0] != 0 and positions[1, 0] == 0
    assert (np.diff(sims, axis=1) <= 0).all()
    short, where = bank_neighbours(queries, np.array([0, 9]), bank[:2], np.array([0, 0]), k=3)
    assert (where[0] == -1).all() and (short[0] == -1).all()  # nothing but its own artwork in the bank
    votes = bank_votes(short, where, np.array([[0], [1]]), [2])
    np.testing.assert_allclose(votes[0][0], 0.5, atol=1e-6)


def test_temperature_scaling_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(4000, 5))
    labels = np.array([rng.choice(5, p=p) for p in softmax(logits / 2.0)])
    assert fit_temperature(logits, labels) == pytest.approx(2.0, rel=0.1)
    assert fit_temperature(logits, labels[:0]) == 1.0
    calibrated = measure(softmax(logits / fit_temperature(logits, labels)), labels)
    assert calibrated.ece < measure(softmax(logits), labels).ece


def test_fusion_weight_follows_the_better_expert() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 4, 600)
    truth = np.eye(4)[labels]
    noise_head = rng.normal(size=(600, 4))
    knn = 0.7 * truth + 0.1  # the neighbours are right; the head is noise
    weight, temperature = fit_fusion(noise_head, knn / knn.sum(axis=1, keepdims=True), labels)
    assert weight >= 1.0 and temperature > 0
    weight, _ = fit_fusion(5 * truth + noise_head, np.full((600, 4), 0.25), labels)
    assert weight == 0.0  # uniform votes add nothing
    probs = fuse(noise_head, np.full((600, 4), 0.25), 0.0, 1.0)
    np.testing.assert_allclose(probs, softmax(noise_head))
    assert nll(5 * truth, labels) < nll(noise_head, labels)


def test_majority_baseline_is_the_training_frequency() -> None:
    base = prior(np.array([2, 2, 2, 0, -1]), 3)
    assert base.argmax() == 2 and np.isclose(base.sum(), 1.0) and base[1] > 0
