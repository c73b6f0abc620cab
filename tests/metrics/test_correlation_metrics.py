"""Correlation metrics against scipy on random inputs; EMD and the logistic fit from their definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import curve_fit
from scipy.stats import pearsonr, spearmanr

from artscope.errors import InvalidInputError
from artscope.metrics import binary_accuracy, emd, plcc, plcc_logistic, srcc


@pytest.mark.parametrize("seed", range(5))
def test_srcc_and_plcc_match_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    gt = rng.normal(5, 1.5, size=500)
    pred = gt + rng.normal(0, 1.0 + seed, size=500)
    assert plcc(pred, gt) == pytest.approx(pearsonr(pred, gt)[0], abs=1e-6)
    assert srcc(pred, gt) == pytest.approx(spearmanr(pred, gt)[0], abs=1e-6)
    ties_pred, ties_gt = np.round(pred), np.round(gt * 2) / 2  # tied values share mean ranks
    assert srcc(ties_pred, ties_gt) == pytest.approx(spearmanr(ties_pred, ties_gt)[0], abs=1e-6)


def _reference_logistic_plcc(x: np.ndarray, y: np.ndarray) -> float:
    """VQEG procedure written out independently: fit, map, Pearson."""
    def logistic(v: np.ndarray, b1: float, b2: float, b3: float, b4: float) -> np.ndarray:
        return b2 + (b1 - b2) / (1 + np.exp((b3 - v) / b4))

    betas, _ = curve_fit(logistic, x, y, p0=[y.max(), y.min(), x.mean(), x.std() / 4], maxfev=10000)
    return float(pearsonr(logistic(x, *betas), y)[0])


@pytest.mark.parametrize("seed", range(3))
def test_plcc_logistic(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, 300)
    y = 1 + 8 / (1 + np.exp(-(x - 0.5) / 0.08)) + rng.normal(0, 0.3, 300)
    assert plcc_logistic(x, y) == pytest.approx(_reference_logistic_plcc(x, y), abs=1e-6)
    assert plcc_logistic(x, y) > plcc(x, y)  # the fit removes the nonlinearity raw PLCC penalises
    exact = 1 + 8 / (1 + np.exp(-(x - 0.5) / 0.08))
    assert plcc_logistic(x, exact) == pytest.approx(1.0, abs=1e-6)


def test_emd_hand_computed_and_random() -> None:
    # all mass in bin 1 vs all mass in bin 2: CDF differences [1, 0] → sqrt((1 + 0) / 2)
    assert emd(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == pytest.approx(np.sqrt(0.5), abs=1e-12)
    assert emd(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), r=1) == pytest.approx(0.5, abs=1e-12)
    rng = np.random.default_rng(0)
    p, votes = rng.dirichlet(np.ones(10), size=50), rng.integers(1, 30, size=(50, 10))
    q = votes / votes.sum(axis=1, keepdims=True)
    expected = np.mean([np.sqrt(np.mean([(p[i, :k + 1].sum() - q[i, :k + 1].sum()) ** 2 for k in range(10)]))
                        for i in range(50)])
    assert emd(p, votes) == pytest.approx(expected, abs=1e-9)  # raw vote counts are normalised


def test_binary_accuracy() -> None:
    # a mean of exactly 5 is "low" (papers: > 5 is high): 5.0 agrees with 4.0, 4.9 disagrees with 5.2
    assert binary_accuracy([4.9, 5.0, 6.1, 3.0], [5.2, 4.0, 7.0, 2.0], threshold=5.0) == 0.75


def test_invalid_inputs() -> None:
    with pytest.raises(InvalidInputError, match="constant"):
        plcc([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(InvalidInputError, match="finite"):
        srcc([1.0, float("nan")], [1.0, 2.0])
    with pytest.raises(InvalidInputError, match="shape"):
        emd(np.ones((2, 10)), np.ones((2, 5)))
