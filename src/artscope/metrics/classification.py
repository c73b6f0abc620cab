"""Classification metrics for attribute prediction (artist, style, genre, ...).

Definitions follow scikit-learn (accuracy, macro-F1) and Guo et al. 2017, "On Calibration of Modern
Neural Networks" (ECE with equal-width confidence bins); the tests check them against sklearn.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from artscope.errors import InvalidInputError
from artscope.metrics._checks import as_1d, as_2d, class_indices, same_length


def accuracy(y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray) -> float:
    """Fraction of items whose predicted label equals the true label (labels of any hashable type)."""
    same_length(y_true, y_pred, "y_true", "y_pred")
    truth, pred = as_1d(y_true, "y_true"), as_1d(y_pred, "y_pred")
    return float(np.mean(truth == pred))


def macro_f1(y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray,
             labels: Sequence | None = None) -> float:
    """Unweighted mean of per-class F1 (sklearn ``f1_score(average="macro")``).

    ``labels`` defaults to every label seen in ``y_true`` or ``y_pred``; a class with no true and no
    predicted items scores 0 (sklearn's ``zero_division=0``).
    """
    same_length(y_true, y_pred, "y_true", "y_pred")
    truth, pred = as_1d(y_true, "y_true"), as_1d(y_pred, "y_pred")
    classes = sorted(set(truth.tolist()) | set(pred.tolist())) if labels is None else list(labels)
    if not classes:
        raise InvalidInputError("labels is empty; pass at least one class label.")
    scores = []
    for label in classes:
        true_pos = float(np.sum((truth == label) & (pred == label)))
        denominator = float(np.sum(truth == label) + np.sum(pred == label))
        # F1 = 2TP / (2TP + FP + FN) = 2TP / (#true + #pred); 0 when the class never occurs
        scores.append(2.0 * true_pos / denominator if denominator else 0.0)
    return float(np.mean(scores))


def top_k_accuracy(y_true: Sequence[int] | np.ndarray, scores: np.ndarray, k: int) -> float:
    """Fraction of items whose true class is among the ``k`` highest scores.

    ``y_true`` holds column indices of ``scores`` [N, C]. Ties are broken towards the lower class index
    (a stable descending sort), so the result never depends on the sort algorithm.
    """
    matrix = as_2d(scores, "scores")
    labels = class_indices(y_true, matrix.shape[1])
    same_length(labels, matrix, "y_true", "scores")
    if k < 1:
        raise InvalidInputError(f"k must be at least 1, got {k}.")
    true_scores = matrix[np.arange(len(labels)), labels][:, None]
    columns = np.arange(matrix.shape[1])[None, :]
    # rank of the true class = classes scored higher + equal-scored classes with a lower index
    ahead = (matrix > true_scores) | ((matrix == true_scores) & (columns < labels[:, None]))
    return float(np.mean(ahead.sum(axis=1) < k))


def expected_calibration_error(y_true: Sequence[int] | np.ndarray, probs: np.ndarray,
                               n_bins: int = 15) -> float:
    """ECE of the top-1 prediction: Σ_b |B_b|/N · |acc(B_b) − conf(B_b)| over ``n_bins`` equal-width bins.

    Bin b holds confidences in (b/n_bins, (b+1)/n_bins], as in Guo et al.'s reference code.
    """
    matrix = as_2d(probs, "probs")
    labels = class_indices(y_true, matrix.shape[1])
    same_length(labels, matrix, "y_true", "probs")
    if n_bins < 1:
        raise InvalidInputError(f"n_bins must be at least 1, got {n_bins}.")
    confidence = matrix.max(axis=1)
    correct = (matrix.argmax(axis=1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    total = 0.0
    for lower, upper in pairwise(edges):
        in_bin = (confidence > lower) & (confidence <= upper)
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(total)
