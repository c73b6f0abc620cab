"""Builtin (uncalibrated) dimension scores: fixed rules over the measurements, 0–100 each.

The rules encode common studio and photographic guidance (a subject on a thirds or golden line, or
centred in a symmetric frame; some calm space; harmonious hues; moderate contrast; crisp, clean,
unclipped exposure). They are not fitted to human ratings: until a head is trained on scored
data, results say so (``calibrated = False``).
"""

from __future__ import annotations

import math

import numpy as np

from artscope.tasks.aesthetics.result import BINS, DIMENSION_KEYS, Measurement

WEIGHTS = {
    "composition": 0.2,
    "visual_elements": 0.2,
    "technical": 0.15,
    "originality": 0.1,
    "theme": 0.1,
    "emotion": 0.1,
    "gestalt": 0.15,
}
"""Weights of the dimensions in the builtin total (dimensions not measured are left out)."""


def _value(measurements: dict[str, Measurement], key: str) -> float | None:
    found = measurements.get(key)
    return None if found is None or not isinstance(found.value, int | float) else float(found.value)


def rise(x: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, linear between."""
    return float(min(max((x - low) / (high - low), 0.0), 1.0))


def peak(x: float, centre: float, width: float) -> float:
    """1 at ``centre``, falling as a Gaussian of standard deviation ``width``."""
    return float(math.exp(-0.5 * ((x - centre) / width) ** 2))


def _composition(ms: dict[str, Measurement]) -> float:
    thirds, golden = _value(ms, "composition.thirds_distance"), _value(ms, "composition.golden_distance")
    centre, symmetry = _value(ms, "composition.centre_distance"), _value(ms, "composition.symmetry") or 0.0
    placement = 0.3  # no distinct subject: placement cannot help
    if thirds is not None and golden is not None and centre is not None:
        placement = max(
            peak(thirds, 0, 0.04), peak(golden, 0, 0.04), peak(centre, 0, 0.05) * max(symmetry, 0.0)
        )
    balance = ((_value(ms, "composition.balance_lr") or 0) + (_value(ms, "composition.balance_tb") or 0)) / 2
    lines = min((_value(ms, "composition.leading_lines") or 0) / 2, 1.0)
    space = peak(_value(ms, "composition.negative_space") or 0, 0.4, 0.25)
    return 100 * (0.4 * placement + 0.2 * balance + 0.15 * lines + 0.25 * space)


def _visual_elements(ms: dict[str, Measurement]) -> float:
    deviation = _value(ms, "colour.harmony_deviation")
    harmony = 0.8 if deviation is None else math.exp(-deviation / 15)  # achromatic: harmonious by default
    return 100 * (
        0.25 * rise(_value(ms, "colour.colourfulness") or 0, 5, 60)
        + 0.3 * harmony
        + 0.25 * peak(_value(ms, "colour.contrast") or 0, 22, 12)
        + 0.2 * rise(_value(ms, "colour.value_range") or 0, 25, 80)
    )


def _technical(ms: dict[str, Measurement]) -> float:
    sharp = rise(math.log10(1 + (_value(ms, "technical.sharpness") or 0)), 1.3, 2.6)
    clean = 1 - rise(_value(ms, "technical.noise") or 0, 2, 12)
    clipped = (_value(ms, "technical.highlight_clipping") or 0) + (
        _value(ms, "technical.shadow_clipping") or 0
    )
    exposure = (1 - rise(clipped, 0.01, 0.2)) * peak(_value(ms, "technical.brightness") or 0, 125, 70)
    span = rise(_value(ms, "technical.dynamic_range") or 0, 80, 220)
    resolution = rise(math.log10(max(_value(ms, "technical.megapixels") or 0, 1e-3)), -1, 0.5)
    return 100 * (0.3 * sharp + 0.2 * clean + 0.2 * exposure + 0.15 * span + 0.15 * resolution)


def _originality(ms: dict[str, Measurement]) -> float | None:
    percentile = _value(ms, "originality.typicality_percentile")
    return None if percentile is None else 100 - percentile


def _theme(ms: dict[str, Measurement]) -> float:
    contrast = _value(ms, "composition.subject_contrast")
    if contrast is None:  # no distinct subject: the image communicates no single focus
        return 25.0
    return 100 * (
        0.45 * rise(contrast, 5, 40)
        + 0.35 * (_value(ms, "composition.saliency_concentration") or 0)
        + 0.2 * peak(_value(ms, "composition.subject_area") or 0, 0.2, 0.2)
    )


def _emotion(ms: dict[str, Measurement]) -> float:
    return 100 * (
        0.4 * rise(_value(ms, "affect.arousal") or 0, -0.1, 0.4)
        + 0.3 * rise(_value(ms, "affect.pleasure") or 0, 0.3, 0.8)
        + 0.3 * rise(_value(ms, "colour.contrast") or 0, 5, 25)
    )


def _gestalt(ms: dict[str, Measurement], others: dict[str, float | None]) -> float:
    shares = ms["colour.palette_shares"].value if "colour.palette_shares" in ms else []
    unity = rise(sum(sorted(shares, reverse=True)[:3]), 0.5, 0.9)
    parts = {
        k: v
        for k, v in others.items()
        if v is not None and k in ("composition", "visual_elements", "technical", "theme", "emotion")
    }
    return 0.8 * weighted_mean(parts) + 20 * unity


def weighted_mean(scores: dict[str, float | None]) -> float:
    """The ``WEIGHTS``-weighted mean of the scores that are not None."""
    present = {k: v for k, v in scores.items() if v is not None}
    total_weight = sum(WEIGHTS[k] for k in present)
    return sum(WEIGHTS[k] * v for k, v in present.items()) / total_weight if total_weight else 50.0


def builtin_dimensions(ms: dict[str, Measurement]) -> dict[str, float | None]:
    """The seven dimension scores (0–100) from the measurements; None where not measurable."""
    scores: dict[str, float | None] = {
        "composition": _composition(ms),
        "visual_elements": _visual_elements(ms),
        "technical": _technical(ms),
        "originality": _originality(ms),
        "theme": _theme(ms),
        "emotion": _emotion(ms),
    }
    scores["gestalt"] = _gestalt(ms, scores)
    return {
        k: (None if scores[k] is None else round(float(np.clip(scores[k], 0, 100)), 2))
        for k in DIMENSION_KEYS
    }


def distribution_around(total: float, spread: float) -> list[float]:
    """A discretised normal over the scores 1..10, centred where ``total`` (0–100) falls."""
    centre = 1 + 9 * total / 100
    scores = np.arange(1, BINS + 1, dtype=np.float64)
    density = np.exp(-0.5 * ((scores - centre) / spread) ** 2)
    return (density / density.sum()).tolist()


def total_from_distribution(distribution: list[float] | np.ndarray) -> float:
    """0–100 from a distribution over 1..10: (expected score − 1) / 9 × 100."""
    p = np.asarray(distribution, dtype=np.float64)
    return float((p @ np.arange(1, len(p) + 1) / p.sum() - 1) / (len(p) - 1) * 100)
