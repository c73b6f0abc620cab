"""Score-agreement metrics for aesthetics (IAA) and quality (IQA) predictions.

Conventions, as checked in ``notes/metrics-and-aesthetics.md``: PLCC is the raw Pearson correlation
(pyiqa's benchmark, Q-Align, ArtQuant, APDDv2); the VQEG-style logistic-fitted PLCC is a separately named
number. EMD is NIMA's (mean over bins, r = 2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import curve_fit
from scipy.stats import rankdata

from artscope.errors import InvalidInputError
from artscope.metrics._checks import as_1d, as_2d, same_length

ArrayLike = Sequence[float] | np.ndarray


def _paired(pred: ArrayLike, gt: ArrayLike, min_items: int = 2) -> tuple[np.ndarray, np.ndarray]:
    same_length(pred, gt, "pred", "gt")
    x, y = as_1d(pred, "pred", np.float64), as_1d(gt, "gt", np.float64)
    if len(x) < min_items:
        raise InvalidInputError("A correlation needs at least two items.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InvalidInputError("pred and gt must be finite numbers (no NaN or inf).")
    return x, y


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt(np.dot(dx, dx) * np.dot(dy, dy))
    if denominator == 0:
        raise InvalidInputError("A correlation is undefined when pred or gt is constant.")
    return float(np.dot(dx, dy) / denominator)


def plcc(pred: ArrayLike, gt: ArrayLike) -> float:
    """Pearson linear correlation of raw predictions and ground truth (no curve fitting)."""
    return _pearson(*_paired(pred, gt))


def srcc(pred: ArrayLike, gt: ArrayLike) -> float:
    """Spearman rank correlation: Pearson of average ranks (ties share their mean rank, as in scipy)."""
    x, y = _paired(pred, gt)
    return _pearson(rankdata(x), rankdata(y))


def _logistic_4(x: np.ndarray, b1: float, b2: float, b3: float, b4: float) -> np.ndarray:
    return (b1 - b2) / (1.0 + np.exp(-(x - b3) / b4)) + b2


def plcc_logistic(pred: ArrayLike, gt: ArrayLike) -> float:
    """PLCC after mapping predictions through a fitted 4-parameter logistic (VQEG; pyiqa ``fit_curve``).

    ŷ = (β1 − β2) / (1 + exp(−(x − β3)/β4)) + β2, initialised at [max gt, min gt, mean pred, std pred / 4]
    and fitted by least squares; the result is Pearson(ŷ, gt).
    """
    x, y = _paired(pred, gt)
    init = [float(y.max()), float(y.min()), float(x.mean()), float(x.std() / 4.0) or 1.0]
    try:
        with np.errstate(over="ignore"):  # exp overflow drives a flat tail to its limit, which is fine
            betas, _ = curve_fit(_logistic_4, x, y, p0=init, maxfev=10000)
    except RuntimeError as exc:
        raise InvalidInputError(f"The logistic fit did not converge ({exc}); report raw PLCC instead.") \
            from exc
    with np.errstate(over="ignore"):
        fitted = _logistic_4(x, *betas)
    return _pearson(fitted, y)


def emd(p: np.ndarray, q: np.ndarray, r: float = 2.0) -> float:
    """Earth mover's distance between ordered-bin distributions, mean over items (NIMA, pyiqa ``emd_loss``).

    Per item: ((1/K) Σ_k |CDF_p(k) − CDF_q(k)|^r)^(1/r). Rows are normalised to sum to 1 first, so raw
    vote counts (AVA) may be passed as ``q``.
    """
    pred, target = as_2d(p, "p"), as_2d(q, "q")
    if pred.shape != target.shape:
        raise InvalidInputError(f"p has shape {pred.shape} but q has {target.shape}; they must match.")
    if r <= 0:
        raise InvalidInputError(f"r must be positive, got {r}.")
    if (pred < 0).any() or (target < 0).any():
        raise InvalidInputError("p and q must be non-negative (probabilities or vote counts).")
    sums_p, sums_q = pred.sum(axis=1, keepdims=True), target.sum(axis=1, keepdims=True)
    if (sums_p == 0).any() or (sums_q == 0).any():
        raise InvalidInputError("Every row of p and q needs a positive total.")
    cdf_diff = np.cumsum(pred / sums_p, axis=1) - np.cumsum(target / sums_q, axis=1)
    per_item = np.mean(np.abs(cdf_diff) ** r, axis=1) ** (1.0 / r)
    return float(per_item.mean())


def binary_accuracy(pred: ArrayLike, gt: ArrayLike, threshold: float) -> float:
    """Share of items put on the same side of ``threshold``, a score above it being "high" and one equal
    to it "low": AVA's convention in NIMA, TANet and the papers that compare with them (mean > 5 is high)."""
    x, y = _paired(pred, gt, min_items=1)
    return float(np.mean((x > threshold) == (y > threshold)))
