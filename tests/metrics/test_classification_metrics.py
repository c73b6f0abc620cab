"""Classification metrics against scikit-learn on random inputs, and ECE on a hand-computed example."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, top_k_accuracy_score

from artscope.errors import InvalidInputError
from artscope.metrics import accuracy, expected_calibration_error, macro_f1, top_k_accuracy


@pytest.mark.parametrize("seed", range(5))
def test_accuracy_and_macro_f1_match_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 7, size=200)
    y_pred = np.where(rng.random(200) < 0.5, y_true, rng.integers(0, 9, size=200))
    assert accuracy(y_true, y_pred) == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-6)
    assert macro_f1(y_true, y_pred) == pytest.approx(
        f1_score(y_true, y_pred, average="macro", zero_division=0), abs=1e-6)
    labels = [0, 1, 2, 3, 11]  # a label that never occurs scores 0, as in sklearn
    assert macro_f1(y_true, y_pred, labels=labels) == pytest.approx(
        f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0), abs=1e-6)


def test_string_labels() -> None:
    truth = ["Baroque", "Cubism", "Baroque", "Rococo"]
    pred = ["Baroque", "Baroque", "Baroque", "Rococo"]
    assert accuracy(truth, pred) == 0.75
    # Baroque F1 = 2·2/(2+3) = 0.8, Cubism 0, Rococo 1
    assert macro_f1(truth, pred) == pytest.approx((0.8 + 0.0 + 1.0) / 3, abs=1e-12)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_top_k_matches_sklearn(k: int) -> None:
    rng = np.random.default_rng(k)
    scores = rng.random((300, 10))
    y_true = rng.integers(0, 10, size=300)
    expected = top_k_accuracy_score(y_true, scores, k=k, labels=np.arange(10))
    assert top_k_accuracy(y_true, scores, k) == pytest.approx(expected, abs=1e-6)


def test_top_k_breaks_ties_towards_lower_index() -> None:
    scores = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]])
    assert top_k_accuracy([0, 1], scores, 1) == 0.5


def test_ece_hand_computed() -> None:
    # confidences 0.9 (right), 0.9 (wrong), 0.6 (right), 0.55 (wrong) in 10 bins:
    # bin (0.8, 0.9]: acc 0.5, conf 0.9 → 2/4 · 0.4; bin (0.5, 0.6]: acc 0.5, conf 0.575 → 2/4 · 0.075
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.55, 0.45]])
    y_true = [0, 1, 1, 1]
    assert expected_calibration_error(y_true, probs, n_bins=10) == pytest.approx(0.2375, abs=1e-9)
    assert expected_calibration_error([0, 0], np.array([[1.0, 0.0], [1.0, 0.0]])) == 0.0


def test_bad_inputs_raise_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="items"):
        accuracy([1, 2], [1])
    with pytest.raises(InvalidInputError, match="class index"):
        top_k_accuracy([3], np.ones((1, 3)), 1)
    with pytest.raises(InvalidInputError, match="integer"):
        expected_calibration_error([0.5], np.ones((1, 3)))
