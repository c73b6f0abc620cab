"""Texture and brushwork, edges and lines, layout and composition.

Texture is described at two scales (gradient orientations and magnitudes, and rotation-invariant
local binary patterns), edges by their density, orientations and straightness (structure-tensor
coherence: ruled lines of architecture are coherent, brushstrokes much less), layout by the
Lab means of a grid relative to the whole, and composition by where a spectral-residual saliency
map puts its mass, how mirror-symmetric the picture is, and its aspect.
"""

from __future__ import annotations

import cv2
import numpy as np

from artscope.embedders.builtin.encoding import Scale, hellinger, join, rbf, soft_bins, tile_histogram, unit
from artscope.embedders.builtin.prepare import GRID, Planes

ORIENTATIONS = 8
MAGNITUDES = 8
LOG_MAGNITUDE_MAX = 6.0
"""log1p of the largest Sobel magnitude of L binned; about 400, a black-to-white step."""
LBP_THRESHOLD = 2.0
"""Lightness difference (L units) a neighbour must exceed to count as brighter: ignores JPEG noise."""
EDGE_ORIENTATIONS = 12
COHERENCE_BINS = 6
SALIENCY_SIDE = 64
EDGE_DENSITY = Scale(0.0, 0.25, 6)
"""Share of Canny edge pixels: the edges block's first measurement."""
LOG_ASPECT = Scale(-1.0, 1.0, 6)
"""log(width / height): the composition block's last measurement."""


def _riu2_table() -> np.ndarray:
    """8-bit LBP code -> rotation-invariant uniform label: bright-neighbour count if uniform, else 9."""
    table = np.empty(256, dtype=np.int64)
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        transitions = sum(bits[i] != bits[(i + 1) % 8] for i in range(8))
        table[code] = sum(bits) if transitions <= 2 else 9
    return table


RIU2 = _riu2_table()
LBP_CODES = 10
# neighbours in circular order, so that a uniform pattern is one run of brighter neighbours
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))


def lbp_labels(lightness: np.ndarray) -> np.ndarray:
    """Rotation-invariant uniform LBP label (0..9) of every pixel, radius 1."""
    height, width = lightness.shape
    padded = np.pad(lightness, 1, mode="edge")
    code = np.zeros((height, width), dtype=np.uint8)
    for bit, (dy, dx) in enumerate(_NEIGHBOURS):
        neighbour = padded[1 + dy:1 + dy + height, 1 + dx:1 + dx + width]
        code |= ((neighbour - lightness) > LBP_THRESHOLD).astype(np.uint8) << bit
    return RIU2[code]


def texture_tiles(planes: Planes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per grid tile: gradient orientations weighted by magnitude, log-magnitudes, LBP labels.

    Shapes [GRID*GRID, ORIENTATIONS], [.., MAGNITUDES], [.., LBP_CODES].
    """
    n = GRID * GRID
    magnitude = planes.magnitude.ravel()
    lower, upper, weight = soft_bins(planes.orientation.ravel(), ORIENTATIONS, 0.0, np.pi, circular=True)
    orientations = tile_histogram(planes.tiles, [(lower, (1 - weight) * magnitude), (upper, weight * magnitude)],
                                  n, ORIENTATIONS)
    lower, upper, weight = soft_bins(np.log1p(magnitude), MAGNITUDES, 0.0, LOG_MAGNITUDE_MAX)
    magnitudes = tile_histogram(planes.tiles, [(lower, 1 - weight), (upper, weight)], n, MAGNITUDES)
    labels = lbp_labels(planes.lightness).ravel()
    lbp = tile_histogram(planes.tiles, [(labels, np.ones(labels.shape, np.float32))], n, LBP_CODES)
    return orientations, magnitudes, lbp


def texture_block(full: tuple[np.ndarray, ...], half: tuple[np.ndarray, ...]) -> np.ndarray:
    """Brushwork at two scales: the whole image's texture histograms (sums of the tiles)."""
    return join([(hellinger(counts.sum(axis=0)), 1.0) for counts in (*full, *half)])


def edges_block(planes: Planes) -> np.ndarray:
    """Edge density, the orientations of edges, and how straight they are (coherence)."""
    lightness8 = np.clip(planes.lightness * 2.55, 0, 255).astype(np.uint8)
    edges = cv2.Canny(lightness8, 40, 100, L2gradient=True).ravel() > 0
    density = edges.mean()
    lower, upper, weight = soft_bins(planes.orientation.ravel()[edges], EDGE_ORIENTATIONS, 0.0, np.pi,
                                     circular=True)
    orientations = np.bincount(np.concatenate([lower, upper]), weights=np.concatenate([1 - weight, weight]),
                               minlength=EDGE_ORIENTATIONS)
    gx, gy = planes.gx, planes.gy
    jxx, jyy, jxy = (cv2.GaussianBlur(x, (0, 0), 2.0) for x in (gx * gx, gy * gy, gx * gy))
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / np.maximum(jxx + jyy, 1e-6)
    lower, upper, weight = soft_bins(coherence.ravel()[edges], COHERENCE_BINS, 0.0, 1.0)
    straightness = np.bincount(np.concatenate([lower, upper]), weights=np.concatenate([1 - weight, weight]),
                               minlength=COHERENCE_BINS)
    return join([(EDGE_DENSITY.encode(density), 1.0), (hellinger(orientations), 1.0),
                 (hellinger(straightness), 1.0)])


def layout_block(mean_lab: np.ndarray) -> np.ndarray:
    """Where light and colour sit: each tile's Lab mean minus the image's, [GRID*GRID*3].

    Relative to the whole, so this block is about arrangement; the colour blocks hold the colours.
    """
    deviation = (mean_lab - mean_lab.mean(axis=0)) * np.array([1.0, 1.5, 1.5], dtype=np.float32)
    return unit(deviation.ravel())


def saliency_map(lightness: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency (Hou & Zhang 2007) at SALIENCY_SIDE², summing to 1."""
    small = cv2.resize(lightness, (SALIENCY_SIDE, SALIENCY_SIDE), interpolation=cv2.INTER_AREA)
    spectrum = np.fft.fft2(small)
    log_amplitude = np.log(np.abs(spectrum) + 1e-6).astype(np.float32)
    residual = log_amplitude - cv2.blur(log_amplitude, (3, 3))
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    saliency = cv2.GaussianBlur(saliency.astype(np.float32), (0, 0), 2.5)
    return saliency / max(float(saliency.sum()), 1e-12)


def _mirror_correlation(image: np.ndarray, axis: int) -> float:
    flipped = np.flip(image, axis=axis)
    a, b = image - image.mean(), flipped - flipped.mean()
    return float((a * b).sum() / max(np.sqrt((a * a).sum() * (b * b).sum()), 1e-6))


def composition_block(planes: Planes, aspect: float) -> np.ndarray:
    """Saliency mass per grid tile, its centroid and spread, mirror symmetry, and the aspect ratio."""
    saliency = saliency_map(planes.lightness)
    cell = SALIENCY_SIDE // GRID
    grid = saliency.reshape(GRID, cell, GRID, cell).sum(axis=(1, 3)).ravel()
    coords = (np.arange(SALIENCY_SIDE, dtype=np.float32) + 0.5) / SALIENCY_SIDE
    cx, cy = float(saliency.sum(axis=0) @ coords), float(saliency.sum(axis=1) @ coords)
    spread = float(np.sqrt(saliency.sum(axis=0) @ (coords - cx) ** 2 + saliency.sum(axis=1) @ (coords - cy) ** 2))
    small = cv2.resize(planes.lightness, (32, 32), interpolation=cv2.INTER_AREA)
    placement = np.concatenate([rbf(cx, 0.2, 0.8, 5), rbf(cy, 0.2, 0.8, 5), rbf(spread, 0.2, 0.45, 5)])
    symmetry = np.concatenate([rbf(_mirror_correlation(small, 1), -0.2, 1.0, 5),
                               rbf(_mirror_correlation(small, 0), -0.2, 1.0, 5)])
    return join([(hellinger(grid), 1.0), (placement, 0.7), (symmetry, 0.7),
                 (LOG_ASPECT.encode(np.log(aspect)), 0.5)])
