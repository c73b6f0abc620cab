"""Token vectors: one compact descriptor per region of a fixed pyramid of tiles.

Regions: the 16 cells of the 4x4 grid, the 4 quadrants, and the whole image (21 tokens), so that
late interaction (MaxSim) can match a detail of one picture against a region of another at
roughly the same scale. Each token holds the region's colour, light, texture and position; the
quadrants and the whole are sums of the cells' histograms, so they cost nothing extra.
"""

from __future__ import annotations

import numpy as np

from artscope.embedders.builtin.colour import COLOUR_CODES, HUES, L_LEVELS, LIGHT_BINS
from artscope.embedders.builtin.encoding import hellinger, join, rbf
from artscope.embedders.builtin.prepare import GRID

TOKEN_COUNT = GRID * GRID + 4 + 1
TOKEN_DIM = 64


def pyramid(cells: np.ndarray) -> np.ndarray:
    """Per-cell histograms [GRID*GRID, d] -> cells, quadrants, whole: [TOKEN_COUNT, d]."""
    d = cells.shape[1]
    half = GRID // 2
    quadrants = cells.reshape(2, half, 2, half, d).sum(axis=(1, 3)).reshape(4, d)
    return np.concatenate([cells, quadrants, cells.sum(axis=0, keepdims=True)])


def _coarse_colour_map() -> np.ndarray:
    """[COLOUR_CODES, 18]: two lightness levels x (neutral + 8 hues), muted and vivid merged."""
    groups = 1 + 2 * HUES
    mapping = np.zeros((COLOUR_CODES, 2 * (1 + HUES)), dtype=np.float32)
    for code in range(COLOUR_CODES):
        level, rest = divmod(code, groups)
        hue = 0 if rest == 0 else 1 + (rest - 1) % HUES
        mapping[code, (level * 2 // L_LEVELS) * (1 + HUES) + hue] = 1.0
    return mapping


def _positions() -> np.ndarray:
    """[TOKEN_COUNT, 12]: centre x and y as Gaussian bumps, region size as a quarter-circle angle."""
    rows = []
    for cells, size in ((GRID, 0.0), (2, 0.5), (1, 1.0)):
        for row in range(cells):
            for col in range(cells):
                x, y = (col + 0.5) / cells, (row + 0.5) / cells
                angle = size * np.pi / 2
                rows.append(np.concatenate([rbf(x, 0.0, 1.0, 5), rbf(y, 0.0, 1.0, 5),
                                            [np.cos(angle), np.sin(angle)]]))
    return np.asarray(rows, dtype=np.float32)


COARSE_COLOUR = _coarse_colour_map()
POSITIONS = _positions()


def token_vectors(colour: np.ndarray, light: np.ndarray,
                  texture: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Per-cell counts (colour, lightness, orientation, magnitude, LBP) -> [TOKEN_COUNT, TOKEN_DIM] unit rows."""
    orientations, magnitudes, lbp = texture
    light_pairs = light.reshape(light.shape[0], LIGHT_BINS // 2, 2).sum(axis=2)
    parts = [
        (hellinger(pyramid(colour @ COARSE_COLOUR)), 0.55),
        (hellinger(pyramid(light_pairs)), 0.35),
        (hellinger(pyramid(orientations)), 0.4),
        (hellinger(pyramid(magnitudes)), 0.3),
        (hellinger(pyramid(lbp)), 0.35),
        (POSITIONS, 0.4),
    ]
    return join(parts)
