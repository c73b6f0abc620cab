"""Input checks shared by the metric modules: metrics take user-supplied predictions, so bad shapes
are an ``InvalidInputError`` that names the argument, never an ``assert``."""

from __future__ import annotations

from collections.abc import Sized

import numpy as np

from artscope.errors import InvalidInputError


def as_1d(values: object, name: str, dtype: type | None = None) -> np.ndarray:
    """``values`` as a non-empty one-dimensional array."""
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 1:
        raise InvalidInputError(f"{name} must be one-dimensional, got shape {array.shape}.")
    if array.size == 0:
        raise InvalidInputError(f"{name} is empty; a metric needs at least one item.")
    return array


def as_2d(values: object, name: str) -> np.ndarray:
    """``values`` as a non-empty float matrix [N, C]."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise InvalidInputError(f"{name} must be a non-empty [N, C] matrix, got shape {array.shape}.")
    return array


def same_length(first: Sized, second: Sized, first_name: str, second_name: str) -> None:
    """Raise when two per-item sequences do not pair up."""
    if len(first) != len(second):
        raise InvalidInputError(
            f"{first_name} has {len(first)} items but {second_name} has {len(second)}; "
            "pass one entry per evaluated item in both."
        )
    if len(first) == 0:
        raise InvalidInputError(f"{first_name} is empty; a metric needs at least one item.")


def class_indices(y_true: object, n_classes: int) -> np.ndarray:
    """Integer class indices in ``[0, n_classes)``."""
    labels = as_1d(y_true, "y_true")
    if not np.issubdtype(labels.dtype, np.integer):
        raise InvalidInputError("y_true must hold integer class indices (columns of the score matrix).")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise InvalidInputError(f"y_true holds a class index outside [0, {n_classes}).")
    return labels
