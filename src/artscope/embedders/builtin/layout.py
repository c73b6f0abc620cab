"""Measurements read back from the builtin global vector, without the pixels.

Each hand-built block stores its measurements in a known layout: scalars as Gaussian bumps
(``encoding.Scale``, exactly invertible), distributions as Hellinger vectors (squares give the
frequencies back). So a stored vector says an image's mean lightness, its share of neutral pixels,
how much of it is blue, its aspect, its edge density, which is what the measured-words vocabulary
(``vocabulary.py``) scores words against.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from artscope.embedders.builtin.colour import (
    COLOURFULNESS_SCALES,
    HUES,
    L_LEVELS,
    LIGHT_BINS,
    LIGHT_SCALES,
)
from artscope.embedders.builtin.encoding import Scale
from artscope.embedders.builtin.structure import EDGE_DENSITY, LOG_ASPECT

COLOUR_GROUPS = 1 + 2 * HUES
"""Colour codes per lightness level: neutral, eight muted hues, eight vivid hues."""


def scalar_parts(blocks: dict[str, slice]) -> dict[str, tuple[slice, Scale]]:
    """Where each scalar measurement sits in the global vector (``light.mean``, ``colourfulness.chroma``,
    ``edges.density``, ``composition.log_aspect``...), with its encoding."""
    parts: dict[str, tuple[slice, Scale]] = {}
    start = blocks["light"].start + LIGHT_BINS  # after the lightness histogram
    for name, scale in LIGHT_SCALES.items():
        parts[f"light.{name}"] = (slice(start, start + scale.bins), scale)
        start += scale.bins
    start = blocks["colourfulness"].start
    for name, scale in COLOURFULNESS_SCALES.items():
        parts[f"colourfulness.{name}"] = (slice(start, start + scale.bins), scale)
        start += scale.bins
    edges = blocks["edges"].start
    parts["edges.density"] = (slice(edges, edges + EDGE_DENSITY.bins), EDGE_DENSITY)
    end = blocks["composition"].stop
    parts["composition.log_aspect"] = (slice(end - LOG_ASPECT.bins, end), LOG_ASPECT)
    return parts


def read_scalars(vectors: np.ndarray, blocks: dict[str, slice], names: Collection[str] | None = None
                 ) -> dict[str, np.ndarray]:
    """Every scalar measurement (or only those of ``names``) of each vector [N, image_dim] -> {name: [N]}."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    return {name: scale.decode(vectors[:, where]) for name, (where, scale) in scalar_parts(blocks).items()
            if names is None or name in names}


def colour_frequencies(vectors: np.ndarray, blocks: dict[str, slice]) -> np.ndarray:
    """The soft Lab colour histogram of each vector as frequencies [N, L_LEVELS, COLOUR_GROUPS]: per
    lightness level (L* about 10, 37, 63, 90), the neutral bin then muted and vivid hues by 45-degree
    sector of the a*b* plane (sector 0 starts at +a*, counter-clockwise)."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    squares = vectors[:, blocks["colour"]].astype(np.float64) ** 2
    frequencies = squares / np.maximum(squares.sum(axis=1, keepdims=True), 1e-12)
    return frequencies.reshape(-1, L_LEVELS, COLOUR_GROUPS)
