"""Fusion, temperature scaling and the metrics of one field, all fitted or measured per field.

Fused logits are ``head_logits + w · log p_knn`` divided by a temperature ``T``: the kNN votes enter
as a log-linear expert (a product of experts), so a confident head and a confident neighbourhood
reinforce each other and either can veto. ``w`` is chosen on the validation split from a grid by the
negative log-likelihood, with ``T`` fitted for every ``w``; ``T`` alone is temperature scaling (Guo et
al., 2017), which leaves the ranking, hence accuracy and top-k, unchanged and fixes confidence.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from artscope.metrics.classification import (
    accuracy,
    expected_calibration_error,
    macro_f1,
    top_k_accuracy,
)

FUSION_GRID = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
LOG_T_BOUNDS = (-3.0, 3.0)
"""Temperatures between 0.05 and 20. The lower bound matters: on a validation split the model gets
entirely right, the likelihood keeps rising as T shrinks, and small splits would end overconfident."""


class FieldMetrics(BaseModel):
    """Held-out metrics of one predictor on one field."""

    accuracy: float
    macro_f1: float
    top5: float
    ece: float
    n: int


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of [N, C] logits, as float64."""
    return np.exp(log_softmax(np.asarray(logits, dtype=np.float64), axis=1))


def nll(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes."""
    logp = log_softmax(np.asarray(logits, dtype=np.float64), axis=1)
    return float(-logp[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the validation NLL (1.0 when there is nothing to fit on)."""
    if len(labels) == 0:
        return 1.0
    result = minimize_scalar(lambda log_t: nll(logits / np.exp(log_t), labels), bounds=LOG_T_BOUNDS,
                             method="bounded", options={"xatol": 1e-3})
    return float(np.exp(result.x))


def fuse(head_logits: np.ndarray, knn_probs: np.ndarray, weight: float, temperature: float) -> np.ndarray:
    """Calibrated probabilities [N, C] of the head fused with the kNN votes."""
    logits = np.asarray(head_logits, dtype=np.float64) + weight * np.log(np.asarray(knn_probs, np.float64))
    return softmax(logits / temperature)


def fit_fusion(head_logits: np.ndarray, knn_probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(fusion weight, temperature) with the lowest validation NLL; (1, 1) without validation labels."""
    if len(labels) == 0:
        return 1.0, 1.0
    best = (np.inf, 1.0, 1.0)
    log_knn = np.log(np.asarray(knn_probs, dtype=np.float64))
    for weight in FUSION_GRID:
        logits = np.asarray(head_logits, dtype=np.float64) + weight * log_knn
        temperature = fit_temperature(logits, labels)
        loss = nll(logits / temperature, labels)
        if loss < best[0] - 1e-9:
            best = (loss, weight, temperature)
    return best[1], best[2]


def measure(probs: np.ndarray, labels: np.ndarray) -> FieldMetrics | None:
    """Accuracy, macro-F1, top-5 and ECE of [N, C] probabilities (None without labelled items)."""
    if len(labels) == 0:
        return None
    predicted = probs.argmax(axis=1)
    return FieldMetrics(accuracy=accuracy(labels, predicted), macro_f1=macro_f1(labels, predicted),
                        top5=top_k_accuracy(labels, probs, min(5, probs.shape[1])),
                        ece=expected_calibration_error(labels, probs), n=len(labels))


def prior(train_labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The majority-class baseline's probabilities: the training frequencies (Laplace-smoothed)."""
    counts = np.bincount(train_labels[train_labels >= 0], minlength=n_classes).astype(np.float64) + 1.0
    return counts / counts.sum()


__all__ = ["FieldMetrics", "fit_fusion", "fit_temperature", "fuse", "measure", "nll", "prior", "softmax"]
