"""The feature row a head reads: numeric measurements (fixed order, fixed defaults) + the global vector.

Measurements that can be absent (no distinct subject, no horizon, an achromatic image) get a
neutral default plus a presence flag, so the row always has the same length.
"""

from __future__ import annotations

import math

import numpy as np

from artscope.tasks.aesthetics.result import Measurement


def _log10(x: float) -> float:
    return math.log10(1.0 + max(x, 0.0))


SUBJECT_KEYS = (
    "subject_x",
    "subject_y",
    "subject_area",
    "thirds_distance",
    "thirds_point_distance",
    "golden_distance",
    "centre_distance",
    "subject_contrast",
    "saliency_concentration",
    "leading_lines",
)
# (measurement key, default when absent); sharpness and resolution enter on a log scale
MEASURED: tuple[tuple[str, float], ...] = (
    *((f"composition.{k}", 0.0) for k in SUBJECT_KEYS),
    ("composition.balance_lr", 1.0),
    ("composition.balance_tb", 1.0),
    ("composition.symmetry", 0.0),
    ("composition.long_lines", 0.0),
    ("composition.diagonal_lines", 0.0),
    ("composition.horizon_y", 0.0),
    ("composition.negative_space", 0.0),
    ("colour.colourfulness", 0.0),
    ("colour.saturation", 0.0),
    ("colour.contrast", 0.0),
    ("colour.value_range", 0.0),
    ("colour.key", 50.0),
    ("colour.chromatic_share", 0.0),
    ("colour.harmony_deviation", 0.0),
    ("colour.hue_spread", 0.0),
    ("colour.warm_share", 0.5),
    ("affect.pleasure", 0.0),
    ("affect.arousal", 0.0),
    ("technical.sharpness", 0.0),
    ("technical.noise", 0.0),
    ("technical.highlight_clipping", 0.0),
    ("technical.shadow_clipping", 0.0),
    ("technical.brightness", 128.0),
    ("technical.dynamic_range", 0.0),
    ("technical.megapixels", 0.0),
)
LOG_SCALED = frozenset({"technical.sharpness", "technical.megapixels"})
FLAGS = (
    ("has_subject", "composition.subject_x"),
    ("has_horizon", "composition.horizon_y"),
    ("has_colour", "colour.hue_spread"),
)
FEATURE_NAMES: list[str] = (
    [key for key, _ in MEASURED] + ["colour.palette_size", "colour.top_share"] + [name for name, _ in FLAGS]
)


def measurement_features(measurements: dict[str, Measurement]) -> np.ndarray:
    """The numeric measurements as a float32 row in ``FEATURE_NAMES`` order."""
    row = []
    for key, default in MEASURED:
        value = float(measurements[key].value) if key in measurements else default
        row.append(_log10(value) if key in LOG_SCALED else value)
    shares = measurements["colour.palette_shares"].value
    row += [float(len(shares)), float(max(shares))]
    row += [1.0 if key in measurements else 0.0 for _, key in FLAGS]
    return np.asarray(row, dtype=np.float32)


def feature_row(measurements: dict[str, Measurement], global_vector: np.ndarray) -> np.ndarray:
    """Measurements then the embedder's global vector: the input of an aesthetics head."""
    return np.concatenate(
        [measurement_features(measurements), np.asarray(global_vector, dtype=np.float32).ravel()]
    )
