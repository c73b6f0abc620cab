"""Small numeric encodings shared by the builtin feature blocks.

Everything the builtin embedder produces is compared by cosine, so each piece is encoded in a way
where cosine means "alike": distributions through Hellinger (square roots of frequencies, so the
dot product is the Bhattacharyya coefficient), scalars through a few Gaussian bumps (so two nearby
values overlap smoothly instead of comparing as raw magnitudes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def hellinger(counts: np.ndarray) -> np.ndarray:
    """Frequencies -> unit vectors of their square roots along the last axis (empty rows stay zero)."""
    counts = np.asarray(counts, dtype=np.float32)
    total = counts.sum(axis=-1, keepdims=True)
    return np.sqrt(counts / np.maximum(total, 1e-12))


def signed_sqrt(x: np.ndarray) -> np.ndarray:
    """sign(x)·sqrt(|x|): damps large components so a few strong ones do not dominate a cosine."""
    return np.sign(x) * np.sqrt(np.abs(x))


def unit(x: np.ndarray) -> np.ndarray:
    """L2-normalise along the last axis (zero vectors stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def rbf(values: np.ndarray | list[float] | float, lo: float, hi: float, bins: int) -> np.ndarray:
    """Scalars -> ``bins`` Gaussian bumps centred evenly over [lo, hi]: shape ``values.shape + (bins,)``.

    Each scalar's bumps have unit length. Two values one bin apart have cosine ~0.78, two bins apart
    ~0.37: similar values look similar. Values outside the range saturate at the end bumps.
    """
    values = np.clip(np.asarray(values, dtype=np.float32), lo, hi)
    centres = np.linspace(lo, hi, bins, dtype=np.float32)
    width = (hi - lo) / (bins - 1)
    return unit(np.exp(-0.5 * ((values[..., None] - centres) / width) ** 2))


@dataclass(frozen=True)
class Scale:
    """How one scalar is encoded: ``bins`` Gaussian bumps over [lo, hi] (``rbf``). Named scales are
    shared by the block that writes a measurement and by whatever reads it back from a stored vector
    (the measured-words vocabulary), so the two cannot drift apart."""

    lo: float
    hi: float
    bins: int

    @property
    def step(self) -> float:
        return (self.hi - self.lo) / (self.bins - 1)

    def encode(self, values: np.ndarray | list[float] | float) -> np.ndarray:
        return rbf(values, self.lo, self.hi, self.bins)

    def decode(self, bumps: np.ndarray) -> np.ndarray:
        """The value(s) behind bumps [..., bins] at any positive scale (exact within [lo, hi], up to
        float precision): two neighbouring Gaussians of width ``step`` differ in log by
        (value - their midpoint) / step."""
        bumps = np.maximum(np.asarray(bumps, dtype=np.float64), 1e-300)
        peak = np.argmax(bumps, axis=-1)
        right = np.take_along_axis(bumps, np.minimum(peak + 1, self.bins - 1)[..., None], -1)[..., 0]
        left = np.take_along_axis(bumps, np.maximum(peak - 1, 0)[..., None], -1)[..., 0]
        lower = np.clip(np.where(right >= left, peak, peak - 1), 0, self.bins - 2)
        low = np.take_along_axis(bumps, lower[..., None], -1)[..., 0]
        high = np.take_along_axis(bumps, (lower + 1)[..., None], -1)[..., 0]
        midpoint = self.lo + (lower + 0.5) * self.step
        return np.clip(midpoint + self.step * np.log(high / low), self.lo, self.hi)


def soft_bins(values: np.ndarray, bins: int, lo: float, hi: float,
              circular: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear-interpolation binning: (lower bin, upper bin, weight of the upper bin) per value.

    Spreading each value over its two nearest bin centres makes histograms change smoothly when
    colours or brightness shift a little (JPEG, re-photography), instead of jumping across edges.
    Non-circular: centres at lo..hi inclusive. Circular (angles): ``bins`` sectors over [lo, hi).
    """
    values = np.asarray(values, dtype=np.float32)
    if circular:
        position = (values - lo) / (hi - lo) * bins - 0.5
        lower = np.floor(position)
        weight = position - lower
        lower = lower.astype(np.int64) % bins
        return lower, (lower + 1) % bins, weight
    position = np.clip((values - lo) / (hi - lo) * (bins - 1), 0, bins - 1)
    lower = np.minimum(np.floor(position), bins - 2).astype(np.int64)
    return lower, lower + 1, position - lower


def tile_histogram(tiles: np.ndarray, codes: list[tuple[np.ndarray, np.ndarray]], n_tiles: int,
                   n_codes: int) -> np.ndarray:
    """Weighted histograms of codes per tile: [n_tiles, n_codes] from (code, weight) pairs.

    One ``bincount`` over tile*n_codes+code does every tile at once; soft binning passes its two
    (or four) interpolation corners as separate pairs.
    """
    keys = np.concatenate([tiles * n_codes + code for code, _ in codes])
    weights = np.concatenate([weight for _, weight in codes])
    counts = np.bincount(keys, weights=weights, minlength=n_tiles * n_codes)
    return counts.reshape(n_tiles, n_codes).astype(np.float32)


def join(parts: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """Concatenate parts along the last axis, each L2-normalised then weighted; the result is unit.

    With unit parts the cosine of two joined vectors is the weighted mean of the parts' cosines
    (weights squared), so a part's weight is exactly its say in the comparison.
    """
    return unit(np.concatenate([weight * unit(part) for part, weight in parts], axis=-1))
