"""Colour and light: Lab histograms, the dominant palette, colourfulness, the value structure.

All computed on the half-scale working copy (colour needs few pixels). Per-tile histograms are
returned so that the token vectors and the global blocks share one pass over the pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from artscope.embedders.builtin.encoding import Scale, hellinger, join, soft_bins, tile_histogram, unit
from artscope.embedders.builtin.prepare import GRID, Planes

L_LEVELS = 4
"""Soft lightness levels of the colour histogram, centred over L 10..90."""
HUES = 8
"""Hue sectors of 45 degrees."""
CHROMA_MAX = 40.0
"""Chroma of the "vivid" level; 0 is neutral and half of it "muted"."""
COLOUR_CODES = L_LEVELS * (1 + 2 * HUES)
"""Per lightness level: one neutral bin, then eight muted hues and eight vivid hues."""
LIGHT_BINS = 16
PALETTE_SIZE = 5
COLOURFULNESS_SCALES = {
    "hasler": Scale(0.0, 120.0, 6), "chroma": Scale(0.0, 50.0, 6), "chroma_p90": Scale(0.0, 80.0, 6),
    "neutral": Scale(0.0, 1.0, 5), "hue_entropy": Scale(0.0, 1.0, 5), "mean_a": Scale(-20.0, 30.0, 6),
    "mean_b": Scale(-20.0, 40.0, 6),
}
"""The colourfulness block's measurements, in order: Hasler-Süsstrunk colourfulness, mean and 90th
percentile chroma, the share of neutral pixels (chroma < 6), hue entropy (0..1), mean a* and b*."""
LIGHT_SCALES = {
    "mean": Scale(0.0, 100.0, 6), "std": Scale(0.0, 35.0, 6), "p5": Scale(0.0, 60.0, 5),
    "p95": Scale(40.0, 100.0, 5), "dark": Scale(0.0, 0.4, 5), "bright": Scale(0.0, 0.4, 5),
}
"""The light block's measurements after its histogram, in order: mean and spread of L*, its 5th and
95th percentiles, the shares of pixels darker than L* 10 and brighter than L* 92."""


def colour_code(level: np.ndarray, chroma: np.ndarray, hue: np.ndarray) -> np.ndarray:
    """Index into the COLOUR_CODES bins; a neutral pixel has no hue."""
    return level * (1 + 2 * HUES) + np.where(chroma == 0, 0, 1 + (chroma - 1) * HUES + hue)


def colour_tiles(planes: Planes) -> np.ndarray:
    """Soft Lab histogram per grid tile: [GRID*GRID, COLOUR_CODES] pixel counts.

    Soft in lightness, chroma and hue (8 interpolation corners), so a brightness or white-balance
    shift moves mass between neighbouring bins gradually.
    """
    lab = planes.lab.reshape(-1, 3)
    chroma, hue = cv2.cartToPolar(np.ascontiguousarray(lab[:, 1]), np.ascontiguousarray(lab[:, 2]))
    l_bins = soft_bins(lab[:, 0], L_LEVELS, 10.0, 90.0)
    c_bins = soft_bins(chroma.ravel(), 3, 0.0, CHROMA_MAX)
    h_bins = soft_bins(hue.ravel(), HUES, 0.0, 2 * np.pi, circular=True)
    pairs = []
    for l_index, l_weight in ((l_bins[0], 1 - l_bins[2]), (l_bins[1], l_bins[2])):
        for c_index, c_weight in ((c_bins[0], 1 - c_bins[2]), (c_bins[1], c_bins[2])):
            for h_index, h_weight in ((h_bins[0], 1 - h_bins[2]), (h_bins[1], h_bins[2])):
                pairs.append((colour_code(l_index, c_index, h_index), l_weight * c_weight * h_weight))
    return tile_histogram(planes.tiles, pairs, GRID * GRID, COLOUR_CODES)


def lightness_tiles(planes: Planes) -> np.ndarray:
    """Soft histogram of L per grid tile: [GRID*GRID, LIGHT_BINS]."""
    lower, upper, weight = soft_bins(planes.lightness.ravel(), LIGHT_BINS, 0.0, 100.0)
    return tile_histogram(planes.tiles, [(lower, 1 - weight), (upper, weight)], GRID * GRID, LIGHT_BINS)


def mean_lab_tiles(planes: Planes) -> np.ndarray:
    """Mean L, a, b per grid tile: [GRID*GRID, 3]."""
    lab = planes.lab.reshape(-1, 3)
    n = GRID * GRID
    count = np.maximum(np.bincount(planes.tiles, minlength=n), 1)
    return np.stack([np.bincount(planes.tiles, weights=lab[:, c], minlength=n) / count
                     for c in range(3)], axis=1).astype(np.float32)


def colour_block(colour_counts: np.ndarray) -> np.ndarray:
    """The whole image's Lab histogram, Hellinger-mapped: [COLOUR_CODES]."""
    return hellinger(colour_counts.sum(axis=0))


def palette(planes: Planes, iterations: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """The dominant colours: k-means in Lab, ([PALETTE_SIZE, 3] centres darkest first, [PALETTE_SIZE] shares).

    Deterministic: seeded with pixels at evenly spaced lightness quantiles, which also keeps the
    centres roughly sorted by lightness from the start. Runs on every third pixel of each third
    row: a palette needs a thousand pixels, not ten thousand.
    """
    pixels = np.ascontiguousarray(planes.lab[::3, ::3].reshape(-1, 3), dtype=np.float32)
    order = np.argsort(pixels[:, 0], kind="stable")
    centres = pixels[order[((np.arange(PALETTE_SIZE) + 0.5) / PALETTE_SIZE * len(order)).astype(int)]]
    squared = (pixels**2).sum(axis=1, keepdims=True)
    for _ in range(iterations):
        distances = squared - 2 * pixels @ centres.T + (centres**2).sum(axis=1)
        assign = np.argmin(distances, axis=1)
        counts = np.bincount(assign, minlength=PALETTE_SIZE).astype(np.float32)
        one_hot = np.eye(PALETTE_SIZE, dtype=np.float32)[assign]
        sums = one_hot.T @ pixels
        centres = np.where(counts[:, None] > 0, sums / np.maximum(counts[:, None], 1), centres)
    by_lightness = np.argsort(centres[:, 0], kind="stable")
    return centres[by_lightness].astype(np.float32), (counts / len(pixels))[by_lightness].astype(np.float32)


def _palette_references() -> np.ndarray:
    """Lab points at the centres of the COLOUR_CODES bins (the palette block's reference colours)."""
    points = np.zeros((COLOUR_CODES, 3), dtype=np.float32)
    for level, lightness in enumerate(np.linspace(10.0, 90.0, L_LEVELS)):
        for chroma_level, chroma in ((0, 0.0), (1, CHROMA_MAX / 2), (2, CHROMA_MAX)):
            for hue in range(HUES if chroma_level else 1):
                angle = (hue + 0.5) * 2 * np.pi / HUES
                code = colour_code(np.array(level), np.array(chroma_level), np.array(hue))
                points[int(code)] = (lightness, chroma * np.cos(angle), chroma * np.sin(angle))
    return points


PALETTE_REFERENCES = _palette_references()
PALETTE_SCALE = np.array([1 / 20.0, 1 / 14.0, 1 / 14.0], dtype=np.float32)
"""Kernel widths in Lab (L, a, b): about one bin spacing of the colour histogram."""


def palette_block(centres: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """The palette as a smooth density over the reference colours, each colour weighted by its share."""
    offsets = (centres[:, None, :] - PALETTE_REFERENCES[None]) * PALETTE_SCALE
    kernel = np.exp(-0.5 * (offsets**2).sum(-1))
    return hellinger(shares @ (kernel / np.maximum(kernel.sum(axis=1, keepdims=True), 1e-12)))


def colourfulness_block(planes: Planes, colour_counts: np.ndarray) -> np.ndarray:
    """Hasler–Süsstrunk colourfulness, chroma level and spread, neutrality, hue spread, warmth."""
    rgb = planes.rgb.reshape(-1, 3) * 255.0
    rg = rgb[:, 0] - rgb[:, 1]
    yb = 0.5 * (rgb[:, 0] + rgb[:, 1]) - rgb[:, 2]
    hasler = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    lab = planes.lab.reshape(-1, 3)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    counts = colour_counts.sum(axis=0).reshape(L_LEVELS, 1 + 2 * HUES)
    hues = counts[:, 1:].reshape(L_LEVELS, 2, HUES).sum(axis=(0, 1))
    p = hues / max(hues.sum(), 1e-12)
    hue_entropy = -(p * np.log(np.maximum(p, 1e-12))).sum() / np.log(HUES)
    values = {"hasler": hasler, "chroma": chroma.mean(), "chroma_p90": np.percentile(chroma, 90),
              "neutral": (chroma < 6).mean(), "hue_entropy": hue_entropy, "mean_a": lab[:, 1].mean(),
              "mean_b": lab[:, 2].mean()}
    return unit(np.concatenate([scale.encode(values[name]) for name, scale in COLOURFULNESS_SCALES.items()]))


def light_block(planes: Planes, light_counts: np.ndarray) -> np.ndarray:
    """Value structure: the L histogram, plus key (mean), contrast (spread), range and clipping."""
    lightness = planes.lightness.ravel()
    low, high = np.percentile(lightness, [5, 95])
    values = {"mean": lightness.mean(), "std": lightness.std(), "p5": low, "p95": high,
              "dark": (lightness < 10).mean(), "bright": (lightness > 92).mean()}
    scalars = np.concatenate([scale.encode(values[name]) for name, scale in LIGHT_SCALES.items()])
    return join([(hellinger(light_counts.sum(axis=0)), 1.0), (scalars, 1.0)])
